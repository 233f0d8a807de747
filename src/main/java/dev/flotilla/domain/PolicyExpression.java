package dev.flotilla.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Elasticity expressions exactly as OneFlow parses them (elasticity.md §3): a PEG where the first
 * matching alternative wins, {@code &&}/{@code ||} have no precedence and associate to the right,
 * and {@code !} negates everything to its right. Flotilla adds aggregates: {@code min(ATTR)},
 * {@code max(ATTR)}, {@code avg(ATTR)} as operands and {@code any(EXPR)}, {@code all(EXPR)} as
 * conditions over the role's running VMs one by one.
 *
 * <p>The parser is recursive descent but linear: each {@code logic_cond} is parsed once (see
 * {@link Parser#expression()}), a flat {@code &&}/{@code ||} chain is read in a loop rather than by
 * recursion, and Java recursion happens only for nesting, which {@link #MAX_NESTING} bounds. Expressions
 * come from users and are parsed on the event loop, so both the time and the stack depth must be bounded
 * by the input, not by its shape.
 */
public final class PolicyExpression {
    /** The longest expression accepted, in characters; longer ones are refused before parsing. */
    public static final int MAX_LENGTH = 2048;

    /**
     * The deepest nesting accepted: parentheses, {@code !} and {@code any(}/{@code all(} together, each one
     * level (each one is a level of recursion in the parser and in evaluation).
     */
    public static final int MAX_NESTING = 32;

    private final String source;
    private final Node root;

    private PolicyExpression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /**
     * Parses the whole string or throws {@link ParseException} with the reason, also when the expression
     * exceeds {@link #MAX_LENGTH} or {@link #MAX_NESTING}.
     */
    public static PolicyExpression parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new ParseException("expression is longer than " + MAX_LENGTH + " characters", MAX_LENGTH + 1);
        }
        Parser p = new Parser(text);
        Node node = p.expression();
        if (node == null || p.pos != text.length()) {
            int column = p.farthest() + 1;
            throw new ParseException("unexpected " + (p.pos < text.length() ? "'" + text.charAt(p.farthest()) + "'"
                    : "end of expression") + " at column " + column, column);
        }
        return new PolicyExpression(text, node);
    }

    /** For tests: how many {@code logic_cond} parses reading {@code text} takes (linear in its length). */
    static int parseSteps(String text) {
        Parser p = new Parser(text);
        p.expression();
        return p.steps;
    }

    public String source() {
        return source;
    }

    /** The role's metrics: per running VM, attribute (upper case) → value. */
    public interface Metrics {
        List<Map<String, Double>> runningVms();
    }

    /** The truth of the expression and the text with the values used, e.g. {@code CPU[85.33] > 80}. */
    public record Result(boolean value, String text) {
    }

    public Result evaluate(Metrics metrics) {
        return root.eval(metrics.runningVms());
    }

    /** A syntax error or an exceeded limit; the message is the parser's reason. */
    public static final class ParseException extends RuntimeException {
        private final int column;

        public ParseException(String message, int column) {
            super(message);
            this.column = column;
        }

        /** The 1-based column the reason refers to. */
        public int column() {
            return column;
        }
    }

    // ---- the tree --------------------------------------------------------------------------------

    private interface Node {
        Result eval(List<Map<String, Double>> vms);
    }

    /** An operand's value (null = no data) and how it is written in the evaluated text. */
    private record Value(Double value, String text) {
    }

    private interface Operand {
        Value value(List<Map<String, Double>> vms);
    }

    private record NumberOperand(double number, String written) implements Operand {
        public Value value(List<Map<String, Double>> vms) {
            return new Value(number, written);
        }
    }

    /** OneFlow's variable: the mean over the running VMs that have it, rounded to 2 decimals. */
    private record Variable(String name) implements Operand {
        public Value value(List<Map<String, Double>> vms) {
            OptionalDouble mean = vms.stream().filter(vm -> vm.containsKey(name)).mapToDouble(vm -> vm.get(name))
                    .average();
            Double v = mean.isPresent() ? Math.round(mean.getAsDouble() * 100) / 100.0 : null;
            return new Value(v, name + "[" + (v == null ? "--" : rubyFloat(v)) + "]");
        }
    }

    private record Aggregate(String function, String name) implements Operand {
        public Value value(List<Map<String, Double>> vms) {
            var values = vms.stream().filter(vm -> vm.containsKey(name)).mapToDouble(vm -> vm.get(name));
            OptionalDouble v = switch (function) {
                case "min" -> values.min();
                case "max" -> values.max();
                default -> values.average();
            };
            Double d = v.isPresent() ? Math.round(v.getAsDouble() * 100) / 100.0 : null;
            return new Value(d, function + "(" + name + ")[" + (d == null ? "--" : rubyFloat(d)) + "]");
        }
    }

    private record Comparison(Operand left, String op, Operand right) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            Value l = left.value(vms);
            Value r = right.value(vms);
            boolean result = l.value() != null && r.value() != null && compare(l.value(), op, r.value());
            return new Result(result, l.text() + " " + op + " " + r.text());
        }
    }

    /**
     * {@code c1 op1 c2 op2 … cn}, meaning {@code c1 op1 (c2 op2 (… cn))} as OneFlow's right-recursive
     * grammar nests it; kept flat so that neither parsing nor evaluation recurses once per operator.
     * {@code ops.get(i)} joins {@code operands.get(i)} and {@code operands.get(i + 1)}.
     */
    private record Chain(List<Node> operands, List<String> ops) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            // All operands are evaluated, left to right, as OneFlow does (no short circuit).
            List<Result> results = new ArrayList<>(operands.size());
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < operands.size(); i++) {
                Result r = operands.get(i).eval(vms);
                results.add(r);
                text.append(i == 0 ? "" : " " + ops.get(i - 1) + " ").append(r.text());
            }
            // Fold from the right: right associativity, no precedence between && and ||.
            boolean value = results.get(results.size() - 1).value();
            for (int i = results.size() - 2; i >= 0; i--) {
                boolean left = results.get(i).value();
                value = ops.get(i).startsWith("&") ? left && value : left || value;
            }
            return new Result(value, text.toString());
        }
    }

    private record Not(Node inner) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            Result r = inner.eval(vms);
            return new Result(!r.value(), "!" + r.text());
        }
    }

    private record Group(Node inner) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            Result r = inner.eval(vms);
            return new Result(r.value(), "(" + r.text() + ")");
        }
    }

    /** {@code any(...)}/{@code all(...)}: the inner expression on each running VM alone. */
    private record Quantifier(String function, Node inner) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            int truths = 0;
            for (Map<String, Double> vm : vms) {
                if (inner.eval(List.of(vm)).value()) {
                    truths++;
                }
            }
            boolean result = function.equals("any") ? truths > 0 : !vms.isEmpty() && truths == vms.size();
            String shown = inner.eval(List.of()).text().replace("[--]", "");
            return new Result(result, function + "(" + shown + ")[" + truths + "/" + vms.size() + "]");
        }
    }

    static boolean compare(double l, String op, double r) {
        return switch (op) {
            case "==", "=" -> l == r;
            case "!=", "<>" -> l != r;
            case ">=" -> l >= r;
            case ">" -> l > r;
            case "<=" -> l <= r;
            case "<" -> l < r;
            default -> throw new IllegalStateException(op);
        };
    }

    /** Ruby's Float#to_s for the values metrics take: 80.0, 85.33. */
    static String rubyFloat(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) {
            return (long) v + ".0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    // ---- the parser ------------------------------------------------------------------------------

    private static final class Parser {
        private static final String[] COMPARISONS = {"==", "=", "!=", "<>", ">=", ">", "<=", "<"};
        private static final String[] BOOLEAN_OPS = {"&&", "&", "||", "|"};
        private final String s;
        int pos;
        private int farthest;
        /** Open parentheses, {@code !} and any(/all( around the current position. */
        private int depth;
        /**
         * Positions where logic_cond failed. A failure is retried by each enclosing chain ending there: in
         * {@code !A > 1 && (}, the chain inside {@code !} gives back {@code && (}, and the chain around
         * {@code !…} tries {@code (} again; nested, such retries multiply.
         */
        private final BitSet failedAt = new BitSet();
        /** logic_cond parses performed; see {@link PolicyExpression#parseSteps}. */
        int steps;

        Parser(String s) {
            this.s = s;
        }

        int farthest() {
            return Math.min(Math.max(farthest, pos), Math.max(0, s.length() - 1));
        }

        /**
         * {@code expression := SP (boolean_exp / logic_cond) SP} with
         * {@code boolean_exp := logic_cond SP op SP expression}.
         *
         * <p>Both alternatives start with the same logic_cond, so it is parsed once: then, if an operator and
         * a further expression follow, that is the boolean_exp; otherwise the PEG backtracks to the second
         * alternative, i.e. to just after the logic_cond. The nested expression fails exactly when its
         * leading logic_cond does, so the right recursion unrolls into a loop over
         * {@code logic_cond (SP op SP logic_cond)*}, stopping (and giving back the operator) at the first
         * operator not followed by a logic_cond.
         */
        Node expression() {
            int start = pos;
            sp();
            Node first = logicCond();
            if (first == null) {
                pos = start;
                return null;
            }
            List<Node> operands = new ArrayList<>(List.of(first));
            List<String> ops = new ArrayList<>();
            while (true) {
                int afterOperand = pos;
                sp();
                String op = take(BOOLEAN_OPS);
                if (op == null) {
                    pos = afterOperand;
                    break;
                }
                sp();
                Node next = logicCond();
                if (next == null) {
                    pos = afterOperand;
                    break;
                }
                ops.add(op);
                operands.add(next);
            }
            sp();
            return operands.size() == 1 ? first : new Chain(List.copyOf(operands), List.copyOf(ops));
        }

        /** logic_cond := operand SP comp_op SP operand | "!" SP expression | any/all | "(" SP expression SP ")" */
        private Node logicCond() {
            int start = pos;
            if (failedAt.get(start)) {
                // Same outcome as before: a failure restores pos, farthest already counts the attempt, and
                // depth cannot change it (exceeding the limit aborts the parse).
                return null;
            }
            steps++;
            Node node = logicCondOnce();
            if (node == null) {
                failedAt.set(start);
            }
            return node;
        }

        private Node logicCondOnce() {
            int start = pos;
            Operand left = operand();
            if (left != null) {
                sp();
                String op = take(COMPARISONS);
                if (op != null) {
                    sp();
                    Operand right = operand();
                    if (right != null) {
                        return new Comparison(left, op, right);
                    }
                }
            }
            pos = start;
            if (take("!") != null) {
                enter(start);
                sp();
                Node inner = expression();
                depth--;
                if (inner != null) {
                    return new Not(inner);
                }
            }
            pos = start;
            String quantifier = function("any", "all");
            if (quantifier != null) {
                enter(start);
                Node inner = expression();
                depth--;
                sp();
                if (inner != null && take(")") != null) {
                    return new Quantifier(quantifier, inner);
                }
            }
            pos = start;
            if (take("(") != null) {
                enter(start);
                sp();
                Node inner = expression();
                depth--;
                sp();
                if (inner != null && take(")") != null) {
                    return new Group(inner);
                }
            }
            pos = start;
            return null;
        }

        /** One level deeper at {@code at}; beyond {@link #MAX_NESTING} the whole parse is refused. */
        private void enter(int at) {
            if (++depth > MAX_NESTING) {
                throw new ParseException("nesting deeper than " + MAX_NESTING + " levels at column " + (at + 1), at + 1);
            }
        }

        /** operand := number | aggregate | variable */
        private Operand operand() {
            int start = pos;
            String number = number();
            if (number != null) {
                return new NumberOperand(Double.parseDouble(number), number);
            }
            String aggregate = function("min", "max", "avg");
            if (aggregate != null) {
                String name = variable();
                sp();
                if (name != null && take(")") != null) {
                    return new Aggregate(aggregate, name);
                }
                pos = start;
                return null;
            }
            String name = variable();
            return name == null ? null : new Variable(name);
        }

        /** {@code name SP "(" SP}, case-insensitive; the function name or null. */
        private String function(String... names) {
            int start = pos;
            for (String name : names) {
                if (s.regionMatches(true, pos, name, 0, name.length())) {
                    pos += name.length();
                    sp();
                    if (take("(") != null) {
                        sp();
                        return name;
                    }
                    pos = start;
                }
            }
            return null;
        }

        private String number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digits = pos;
            while (Character.isDigit(peek())) {
                pos++;
            }
            if (pos == digits) {
                pos = start;
                return null;
            }
            if (peek() == '.' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1))) {
                pos++;
                while (Character.isDigit(peek())) {
                    pos++;
                }
            }
            return s.substring(start, pos);
        }

        /** A name, bare or quoted; quotes are stripped (Flotilla's fix) and the name upper-cased. */
        private String variable() {
            char quote = peek();
            int start = pos;
            if (quote == '"' || quote == '\'') {
                pos++;
            }
            int nameStart = pos;
            if (!isAsciiLetter(peek())) {
                pos = start;
                return null;
            }
            while (isAsciiLetter(peek()) || Character.isDigit(peek()) || peek() == '_') {
                pos++;
            }
            String name = s.substring(nameStart, pos);
            if (quote == '"' || quote == '\'') {
                if (peek() != quote) {
                    pos = start;
                    return null;
                }
                pos++;
            }
            return name.toUpperCase(Locale.ROOT);
        }

        private String take(String... tokens) {
            for (String t : tokens) {
                if (s.startsWith(t, pos)) {
                    pos += t.length();
                    farthest = Math.max(farthest, pos);
                    return t;
                }
            }
            farthest = Math.max(farthest, pos);
            return null;
        }

        /** Spaces only, as OneFlow's grammar: no tabs or newlines. */
        private void sp() {
            while (peek() == ' ') {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private static boolean isAsciiLetter(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
    }

    /** The list form used by tests and the autoscaler: one map per running VM. */
    public static Metrics metrics(List<Map<String, Double>> runningVms) {
        List<Map<String, Double>> copy = new ArrayList<>(runningVms);
        return () -> copy;
    }
}

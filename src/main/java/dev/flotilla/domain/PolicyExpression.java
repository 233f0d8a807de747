package dev.flotilla.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Elasticity expressions exactly as OneFlow parses them (elasticity.md §3): a PEG where the first
 * matching alternative wins, {@code &&}/{@code ||} have no precedence and associate to the right,
 * and {@code !} negates everything to its right. Flotilla adds aggregates: {@code min(ATTR)},
 * {@code max(ATTR)}, {@code avg(ATTR)} as operands and {@code any(EXPR)}, {@code all(EXPR)} as
 * conditions over the role's running VMs one by one. A recursive-descent parser with backtracking.
 */
public final class PolicyExpression {
    private final String source;
    private final Node root;

    private PolicyExpression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /** Parses the whole string or throws {@link ParseException} with the reason. */
    public static PolicyExpression parse(String text) {
        Parser p = new Parser(text);
        Node node = p.expression();
        if (node == null || p.pos != text.length()) {
            throw new ParseException("unexpected " + (p.pos < text.length() ? "'" + text.charAt(p.farthest()) + "'"
                    : "end of expression") + " at column " + (p.farthest() + 1));
        }
        return new PolicyExpression(text, node);
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

    /** A syntax error; the message is the parser's reason. */
    public static final class ParseException extends RuntimeException {
        public ParseException(String message) {
            super(message);
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

    private record Binary(Node left, String op, Node right) implements Node {
        public Result eval(List<Map<String, Double>> vms) {
            Result l = left.eval(vms);
            Result r = right.eval(vms); // both sides are evaluated, as OneFlow does
            boolean and = op.startsWith("&");
            return new Result(and ? l.value() && r.value() : l.value() || r.value(), l.text() + " " + op + " " + r.text());
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
        private final String s;
        int pos;
        private int farthest;

        Parser(String s) {
            this.s = s;
        }

        int farthest() {
            return Math.min(Math.max(farthest, pos), Math.max(0, s.length() - 1));
        }

        /** expression := SP ( boolean_exp | logic_cond ) SP */
        Node expression() {
            int start = pos;
            sp();
            Node node = booleanExp();
            if (node == null) {
                node = logicCond();
            }
            if (node == null) {
                pos = start;
                return null;
            }
            sp();
            return node;
        }

        /** boolean_exp := logic_cond SP ("&&"|"&"|"||"|"|") SP expression */
        private Node booleanExp() {
            int start = pos;
            Node left = logicCond();
            if (left != null) {
                sp();
                String op = take("&&", "&", "||", "|");
                if (op != null) {
                    sp();
                    Node right = expression();
                    if (right != null) {
                        return new Binary(left, op, right);
                    }
                }
            }
            pos = start;
            return null;
        }

        /** logic_cond := operand SP comp_op SP operand | "!" SP expression | "(" SP expression SP ")" | any/all */
        private Node logicCond() {
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
                sp();
                Node inner = expression();
                if (inner != null) {
                    return new Not(inner);
                }
            }
            pos = start;
            String quantifier = function("any", "all");
            if (quantifier != null) {
                Node inner = expression();
                sp();
                if (inner != null && take(")") != null) {
                    return new Quantifier(quantifier, inner);
                }
            }
            pos = start;
            if (take("(") != null) {
                sp();
                Node inner = expression();
                sp();
                if (inner != null && take(")") != null) {
                    return new Group(inner);
                }
            }
            pos = start;
            return null;
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

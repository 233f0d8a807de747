package dev.flotilla.cli;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OneFlow's list options (cli.md): {@code -l/--list} the columns to show, {@code -f/--filter}
 * {@code COLUMN=VALUE} or {@code COLUMN!=VALUE} pairs a row must all match, {@code --csv},
 * {@code --no-header}. Column names as the header shows them, in any case.
 */
final class ListOptions {
    static final ListOptions NONE = new ListOptions();

    @Option(names = {"-l", "--list"}, split = ",", paramLabel = "COLUMNS", description = "Columns to show, e.g. ID,NAME,STATE")
    List<String> columns;
    @Option(names = {"-f", "--filter"}, split = ",", paramLabel = "COLUMN=VALUE",
            description = "Only rows where COLUMN=VALUE (or COLUMN!=VALUE); several: all must hold")
    List<String> filters;
    @Option(names = "--csv", description = "Comma-separated values")
    boolean csv;
    @Option(names = "--no-header", description = "Leave out the header line")
    boolean noHeader;

    /** A table with these options applied to it: rows filtered, columns chosen, then laid out. */
    String render(String[] header, int[] widths, boolean[] right, List<String[]> rows) {
        List<String[]> kept = new ArrayList<>();
        List<Condition> conditions = conditions(header);
        for (String[] row : rows) {
            if (conditions.stream().allMatch(c -> c.holds(row))) {
                kept.add(row);
            }
        }
        int[] shown = shownColumns(header);
        String[] h = pick(header, shown);
        List<String[]> body = kept.stream().map(r -> pick(r, shown)).toList();
        if (csv) {
            StringBuilder out = new StringBuilder();
            if (!noHeader) {
                out.append(csvLine(h));
            }
            body.forEach(r -> out.append(csvLine(r)));
            return out.toString();
        }
        int[] w = new int[shown.length];
        boolean[] rightAligned = new boolean[shown.length];
        for (int i = 0; i < shown.length; i++) {
            w[i] = widths[shown[i]];
            rightAligned[i] = right[shown[i]];
        }
        return Format.layout(noHeader ? null : h, w, rightAligned, body);
    }

    private record Condition(int column, String value, boolean equal) {
        boolean holds(String[] row) {
            return row[column].equalsIgnoreCase(value) == equal;
        }
    }

    private List<Condition> conditions(String[] header) {
        List<Condition> out = new ArrayList<>();
        for (String f : filters == null ? List.<String>of() : filters) {
            boolean not = f.contains("!=");
            int at = f.indexOf(not ? "!=" : "=");
            if (at <= 0) {
                throw new CliException(255, "Filter '" + f + "' is not COLUMN=VALUE or COLUMN!=VALUE");
            }
            out.add(new Condition(column(header, f.substring(0, at)), f.substring(at + (not ? 2 : 1)), !not));
        }
        return out;
    }

    private int[] shownColumns(String[] header) {
        if (columns == null || columns.isEmpty()) {
            int[] all = new int[header.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        return columns.stream().mapToInt(c -> column(header, c)).toArray();
    }

    private static int column(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equalsIgnoreCase(name.trim())) {
                return i;
            }
        }
        throw new CliException(255, "Unknown column '" + name.trim() + "'. Columns: " + String.join(",", header)
                .toUpperCase(Locale.ROOT));
    }

    private static String[] pick(String[] row, int[] columns) {
        String[] out = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            out[i] = row[columns[i]];
        }
        return out;
    }

    private static String csvLine(String[] cells) {
        List<String> quoted = new ArrayList<>();
        for (String c : cells) {
            quoted.add(c.contains(",") || c.contains("\"") || c.contains("\n") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
        }
        return String.join(",", quoted) + "\n";
    }
}

package dev.flotilla.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ListOptionsTest {
    private static final String[] HEADER = {"ID", "USER", "NAME", "STATE"};
    private static final int[] WIDTHS = {3, 4, 4, 5};
    private static final boolean[] RIGHT = {true, false, false, false};
    private static final List<String[]> ROWS = List.of(
            new String[]{"1", "alice", "web, front", "RUNNING"},
            new String[]{"2", "bob", "db", "FAILED_DEPLOYING"},
            new String[]{"3", "alice", "cache", "RUNNING"});

    private static ListOptions options(List<String> columns, List<String> filters, boolean csv, boolean noHeader) {
        ListOptions o = new ListOptions();
        o.columns = columns;
        o.filters = filters;
        o.csv = csv;
        o.noHeader = noHeader;
        return o;
    }

    @Test
    void withoutOptionsEveryRowAndColumn() {
        assertEquals("""
                 ID USER  NAME       STATE
                  1 alice web, front RUNNING
                  2 bob   db         FAILED_DEPLOYING
                  3 alice cache      RUNNING
                """, ListOptions.NONE.render(HEADER, WIDTHS, RIGHT, ROWS));
    }

    @Test
    void columnsFiltersCsvAndNoHeader() {
        assertEquals("""
                NAME,ID
                "web, front",1
                cache,3
                """, options(List.of("name", "ID"), List.of("USER=alice", "state=running"), true, false)
                .render(HEADER, WIDTHS, RIGHT, ROWS));
        assertEquals("""
                  2 FAILED_DEPLOYING
                """, options(List.of("ID", "STATE"), List.of("STATE!=RUNNING"), false, true)
                .render(HEADER, WIDTHS, RIGHT, ROWS));
    }

    @Test
    void unknownColumnsAndMalformedFiltersAreRefusedNamingTheColumns() {
        CliException e = assertThrows(CliException.class, () -> options(List.of("HOST"), null, false, false)
                .render(HEADER, WIDTHS, RIGHT, ROWS));
        assertEquals("Unknown column 'HOST'. Columns: ID,USER,NAME,STATE", e.getMessage());
        assertEquals(255, e.code);
        assertThrows(CliException.class, () -> options(null, List.of("STATE"), false, false)
                .render(HEADER, WIDTHS, RIGHT, ROWS));
    }
}

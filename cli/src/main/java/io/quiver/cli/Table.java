package io.quiver.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table for people: a header row, columns as wide as their widest cell, numbers right-aligned. */
final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header;
    }

    Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("a row has " + cells.length + " cells, the header " + header.length);
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out) {
        int[] width = new int[header.length];
        boolean[] numeric = new boolean[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            numeric[i] = !rows.isEmpty();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
                numeric[i] &= r[i].matches("-?[0-9][0-9.,]*%?|-");
            }
        }
        line(out, header, width, numeric);
        for (String[] r : rows) {
            line(out, r, width, numeric);
        }
    }

    private static void line(PrintStream out, String[] cells, int[] width, boolean[] numeric) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append("  ");
            }
            String c = cells[i];
            String pad = " ".repeat(width[i] - c.length());
            if (numeric[i]) {
                sb.append(pad).append(c);
            } else if (i < cells.length - 1) {
                sb.append(c).append(pad);
            } else {
                sb.append(c);
            }
        }
        out.println(sb);
    }
}

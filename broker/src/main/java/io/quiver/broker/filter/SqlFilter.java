package io.quiver.broker.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An SQL92 property filter (RocketMQ's {@code MessageSelector.bySql}): comparisons ({@code = <> != > >= < <=}),
 * {@code [NOT] BETWEEN a AND b}, {@code [NOT] IN ('x', ...)}, {@code IS [NOT] NULL}, {@code AND OR NOT},
 * parentheses, and literals (integers, decimals, 'strings', TRUE, FALSE, NULL). Evaluated over a message's
 * properties with SQL's three-valued logic: a missing property is NULL, a comparison with NULL is
 * unknown, and only TRUE matches. Property values are strings; compared with a number they are read as
 * numbers, and a value that is not a number never matches. Immutable and thread-safe once compiled.
 */
public final class SqlFilter {
    /** Longest expression accepted, so a hostile subscription cannot cost unbounded parsing. */
    public static final int MAX_EXPRESSION_CHARS = 4_096;
    /**
     * Deepest nesting of parentheses and NOT accepted. Parsing and evaluation recurse once per level, so
     * without a bound a short expression of repeated "(" overflows the stack of the thread handling it.
     */
    public static final int MAX_NESTING = 100;

    private final String expression;
    private final Node root;

    private SqlFilter(String expression, Node root) {
        this.expression = expression;
        this.root = root;
    }

    /** Compiles {@code expression}; throws {@link IllegalArgumentException} saying where and what is wrong. */
    public static SqlFilter compile(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("the SQL92 expression is empty");
        }
        if (expression.length() > MAX_EXPRESSION_CHARS) {
            throw new IllegalArgumentException("the SQL92 expression has " + expression.length()
                + " characters; the limit is " + MAX_EXPRESSION_CHARS);
        }
        Parser p = new Parser(expression);
        Node n = p.orExpr();
        p.expectEnd();
        return new SqlFilter(expression, n);
    }

    public String expression() {
        return expression;
    }

    /** True when the expression is TRUE for these properties (unknown and FALSE do not match). */
    public boolean matches(Map<String, String> properties) {
        return Boolean.TRUE.equals(root.eval(properties));
    }

    // ------------------------------------------------------------------ evaluation tree

    private interface Node {
        /** Boolean.TRUE, Boolean.FALSE, null (unknown), or a value (String, Long, Double) for operands. */
        Object eval(Map<String, String> props);
    }

    private record Literal(Object value) implements Node {
        public Object eval(Map<String, String> props) {
            return value;
        }
    }

    private record Property(String name) implements Node {
        public Object eval(Map<String, String> props) {
            return props.get(name);
        }
    }

    private record Not(Node inner) implements Node {
        public Object eval(Map<String, String> props) {
            Object v = inner.eval(props);
            return v instanceof Boolean b ? !b : null;
        }
    }

    private record And(Node l, Node r) implements Node {
        public Object eval(Map<String, String> props) {
            Object a = l.eval(props);
            if (Boolean.FALSE.equals(a)) {
                return false;
            }
            Object b = r.eval(props);
            if (Boolean.FALSE.equals(b)) {
                return false;
            }
            return Boolean.TRUE.equals(a) && Boolean.TRUE.equals(b) ? Boolean.TRUE : null;
        }
    }

    private record Or(Node l, Node r) implements Node {
        public Object eval(Map<String, String> props) {
            Object a = l.eval(props);
            if (Boolean.TRUE.equals(a)) {
                return true;
            }
            Object b = r.eval(props);
            if (Boolean.TRUE.equals(b)) {
                return true;
            }
            return Boolean.FALSE.equals(a) && Boolean.FALSE.equals(b) ? Boolean.FALSE : null;
        }
    }

    private record IsNull(Node operand, boolean negated) implements Node {
        public Object eval(Map<String, String> props) {
            boolean isNull = operand.eval(props) == null;
            return negated != isNull;
        }
    }

    private record Compare(Node l, String op, Node r) implements Node {
        public Object eval(Map<String, String> props) {
            Integer c = compare(l.eval(props), r.eval(props), !op.equals("=") && !op.equals("<>"));
            if (c == null) {
                return null;
            }
            return switch (op) {
                case "=" -> c == 0;
                case "<>" -> c != 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                default -> throw new IllegalStateException(op);
            };
        }
    }

    private record Between(Node operand, Node low, Node high, boolean negated) implements Node {
        public Object eval(Map<String, String> props) {
            Object v = operand.eval(props);
            Integer a = compare(v, low.eval(props), true);
            Integer b = compare(v, high.eval(props), true);
            if (a == null || b == null) {
                return null;
            }
            boolean in = a >= 0 && b <= 0;
            return negated != in;
        }
    }

    private record In(Node operand, List<String> values, boolean negated) implements Node {
        public Object eval(Map<String, String> props) {
            Object v = operand.eval(props);
            if (v == null) {
                return null;
            }
            boolean in = values.contains(v.toString());
            return negated != in;
        }
    }

    /**
     * Compares two operands: numbers numerically (a string read as a number when the other side is one),
     * strings as text (only for equality unless {@code ordered} and both are numbers), booleans by value.
     * Null if either is null or they cannot be compared.
     */
    private static Integer compare(Object a, Object b, boolean ordered) {
        if (a == null || b == null) {
            return null;
        }
        if (a instanceof Number || b instanceof Number) {
            Double x = number(a);
            Double y = number(b);
            return x == null || y == null ? null : Double.compare(x, y);
        }
        if (a instanceof Boolean || b instanceof Boolean) {
            Boolean x = bool(a);
            Boolean y = bool(b);
            return x == null || y == null || ordered ? null : (x.equals(y) ? 0 : 1);
        }
        if (ordered) {
            Double x = number(a);
            Double y = number(b);
            return x == null || y == null ? null : Double.compare(x, y);
        }
        return a.toString().equals(b.toString()) ? 0 : 1;
    }

    private static Double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.valueOf(o.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Boolean bool(Object o) {
        if (o instanceof Boolean b) {
            return b;
        }
        String s = o.toString().trim();
        return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        private final String src;
        private int pos;
        /** Current nesting of parentheses and NOT. */
        private int depth;

        Parser(String src) {
            this.src = src;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid SQL92 expression at position " + pos + ": " + what
                + " in \"" + src + "\"");
        }

        private void skipSpace() {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        }

        private boolean keyword(String kw) {
            skipSpace();
            int end = pos + kw.length();
            if (end <= src.length() && src.regionMatches(true, pos, kw, 0, kw.length())
                && (end == src.length() || !isIdentChar(src.charAt(end)))) {
                pos = end;
                return true;
            }
            return false;
        }

        private boolean symbol(String s) {
            skipSpace();
            if (src.startsWith(s, pos)) {
                pos += s.length();
                return true;
            }
            return false;
        }

        void expectEnd() {
            skipSpace();
            if (pos != src.length()) {
                throw error("unexpected '" + src.substring(pos, Math.min(src.length(), pos + 12)) + "'");
            }
        }

        Node orExpr() {
            Node n = andExpr();
            while (keyword("OR")) {
                n = new Or(n, andExpr());
            }
            return n;
        }

        Node andExpr() {
            Node n = notExpr();
            while (keyword("AND")) {
                n = new And(n, notExpr());
            }
            return n;
        }

        Node notExpr() {
            if (keyword("NOT")) {
                enter();
                Node inner = notExpr();
                depth--;
                return new Not(inner);
            }
            return predicate();
        }

        /** One level deeper; refused beyond {@link #MAX_NESTING}. */
        private void enter() {
            if (++depth > MAX_NESTING) {
                throw error("parentheses and NOT are nested more than " + MAX_NESTING + " deep");
            }
        }

        Node predicate() {
            skipSpace();
            if (symbol("(")) {
                enter();
                Node inner = orExpr();
                if (!symbol(")")) {
                    throw error("missing ')'");
                }
                depth--;
                return inner;
            }
            Node left = operand();
            if (keyword("IS")) {
                boolean negated = keyword("NOT");
                if (!keyword("NULL")) {
                    throw error("expected NULL after IS");
                }
                return new IsNull(left, negated);
            }
            boolean negated = keyword("NOT");
            if (keyword("BETWEEN")) {
                Node low = operand();
                if (!keyword("AND")) {
                    throw error("expected AND in BETWEEN");
                }
                return new Between(left, low, operand(), negated);
            }
            if (keyword("IN")) {
                return new In(left, inList(), negated);
            }
            if (negated) {
                throw error("expected BETWEEN or IN after NOT");
            }
            for (String op : new String[] {">=", "<=", "<>", "!=", "=", ">", "<"}) {
                if (symbol(op)) {
                    return new Compare(left, op.equals("!=") ? "<>" : op, operand());
                }
            }
            if (left instanceof Literal l && l.value() instanceof Boolean) {
                return left;
            }
            throw error("expected a comparison, BETWEEN, IN or IS [NOT] NULL");
        }

        private List<String> inList() {
            if (!symbol("(")) {
                throw error("expected '(' after IN");
            }
            List<String> values = new ArrayList<>();
            do {
                Node v = operand();
                if (!(v instanceof Literal l) || l.value() == null) {
                    throw error("IN lists hold literals only");
                }
                values.add(l.value() instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue())
                    : l.value().toString());
            } while (symbol(","));
            if (!symbol(")")) {
                throw error("missing ')' after the IN list");
            }
            return values;
        }

        Node operand() {
            skipSpace();
            if (pos >= src.length()) {
                throw error("the expression ends too early");
            }
            char c = src.charAt(pos);
            if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= src.length()) {
                        throw error("unterminated string");
                    }
                    char ch = src.charAt(pos++);
                    if (ch == '\'') {
                        if (pos < src.length() && src.charAt(pos) == '\'') {
                            sb.append('\'');
                            pos++;
                            continue;
                        }
                        return new Literal(sb.toString());
                    }
                    sb.append(ch);
                }
            }
            if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && pos + 1 < src.length()
                && (Character.isDigit(src.charAt(pos + 1)) || src.charAt(pos + 1) == '.'))) {
                int start = pos++;
                while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                    || src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
                    pos++;
                }
                String num = src.substring(start, pos);
                try {
                    return new Literal(num.contains(".") || num.contains("e") || num.contains("E")
                        ? (Object) Double.valueOf(num) : (Object) Long.valueOf(num));
                } catch (NumberFormatException e) {
                    throw error("bad number '" + num + "'");
                }
            }
            if (keyword("TRUE")) {
                return new Literal(Boolean.TRUE);
            }
            if (keyword("FALSE")) {
                return new Literal(Boolean.FALSE);
            }
            if (keyword("NULL")) {
                return new Literal(null);
            }
            if (isIdentStart(c)) {
                int start = pos;
                while (pos < src.length() && isIdentChar(src.charAt(pos))) {
                    pos++;
                }
                String name = src.substring(start, pos);
                for (String reserved : new String[] {"AND", "OR", "NOT", "BETWEEN", "IN", "IS"}) {
                    if (name.equalsIgnoreCase(reserved)) {
                        pos = start;
                        throw error("expected a property name or a value, found " + reserved);
                    }
                }
                return new Property(name);
            }
            throw error("unexpected '" + c + "'");
        }

        private static boolean isIdentStart(char c) {
            return Character.isLetter(c) || c == '_' || c == '$';
        }

        private static boolean isIdentChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
        }
    }
}

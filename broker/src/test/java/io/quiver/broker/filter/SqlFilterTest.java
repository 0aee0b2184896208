package io.quiver.broker.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: the SQL92 filter's grammar, null rules, type rules and nesting bound. */
@Timeout(10)
class SqlFilterTest {
    private static final Map<String, String> M = Map.of("a", "7", "b", "x", "price", "12.5", "flag", "true",
        "region", "eu-west");

    private static boolean m(String sql) {
        return SqlFilter.compile(sql).matches(M);
    }

    @Test
    void comparisonsOnNumbersAndStrings() {
        assertThat(m("a > 5")).isTrue();
        assertThat(m("a >= 7 AND a <= 7")).isTrue();
        assertThat(m("a < 5")).isFalse();
        assertThat(m("a = 7")).isTrue();
        assertThat(m("a <> 7")).isFalse();
        assertThat(m("a != 8")).isTrue();
        assertThat(m("price > 12")).isTrue();
        assertThat(m("b = 'x'")).isTrue();
        assertThat(m("b <> 'y'")).isTrue();
        assertThat(m("b > 5")).as("a non-number never compares with a number").isFalse();
        assertThat(m("flag = TRUE")).isTrue();
        assertThat(m("region = 'eu-west' AND a > 5")).isTrue();
    }

    @Test
    void betweenInAndNullRules() {
        assertThat(m("a BETWEEN 1 AND 10")).isTrue();
        assertThat(m("a NOT BETWEEN 1 AND 10")).isFalse();
        assertThat(m("b IN ('x', 'y')")).isTrue();
        assertThat(m("b NOT IN ('x', 'y')")).isFalse();
        assertThat(m("a IN (6, 7)")).isTrue();
        assertThat(m("missing IS NULL")).isTrue();
        assertThat(m("a IS NOT NULL")).isTrue();
        assertThat(m("missing = 1")).isFalse();
        assertThat(m("NOT (missing = 1)")).as("NOT unknown is unknown").isFalse();
        assertThat(m("missing = 1 OR a = 7")).isTrue();
        assertThat(m("missing IN ('x')")).isFalse();
        assertThat(m("missing NOT IN ('x')")).as("unknown, not true").isFalse();
    }

    @Test
    void precedenceAndParentheses() {
        assertThat(m("a = 1 OR a = 7 AND b = 'x'")).isTrue();
        assertThat(m("(a = 1 OR a = 7) AND b = 'y'")).isFalse();
        assertThat(m("NOT a = 1")).isTrue();
        assertThat(m("TRUE")).isTrue();
        assertThat(m("b = 'it''s'")).isFalse();
    }

    @Test
    void invalidExpressionsAreRejectedWithAReason() {
        assertThatThrownBy(() -> SqlFilter.compile("a >")).hasMessageContaining("ends too early");
        assertThatThrownBy(() -> SqlFilter.compile("a = 'x")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> SqlFilter.compile("(a = 1")).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> SqlFilter.compile("a = 1 b")).hasMessageContaining("unexpected");
        assertThatThrownBy(() -> SqlFilter.compile("a LIKE 'x%'")).hasMessageContaining("expected a comparison");
        assertThatThrownBy(() -> SqlFilter.compile("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SqlFilter.compile("a IN (b)")).hasMessageContaining("literals");
        assertThatThrownBy(() -> SqlFilter.compile("a = 1 AND")).hasMessageContaining("ends too early");
        assertThatThrownBy(() -> SqlFilter.compile("x".repeat(5000))).hasMessageContaining("limit");
    }

    /**
     * Parsing recurses once per parenthesis or NOT, so an expression within the length limit could overflow
     * the stack of the broker thread parsing it (its pools run with 512 KiB stacks); nesting is bounded instead.
     */
    @Test
    void nestingIsBoundedSoAShortExpressionCannotExhaustTheStack() {
        int max = SqlFilter.MAX_NESTING;
        assertThat(m("(".repeat(max) + "a = 7" + ")".repeat(max))).isTrue();
        assertThat(m("NOT ".repeat(max) + "a = 7")).isTrue(); // an even count of NOT
        assertThatThrownBy(() -> SqlFilter.compile("(".repeat(max + 1) + "a = 7" + ")".repeat(max + 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested more than " + max + " deep");
        assertThatThrownBy(() -> SqlFilter.compile("NOT ".repeat(1000) + "a = 7"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested more than " + max + " deep");
        assertThatThrownBy(() -> SqlFilter.compile("(".repeat(2000) + "a = 7" + ")".repeat(2000)))
            .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.quiver.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Unit tier: RocketMQ's white-list syntax. */
class AddressPatternTest {
    @Test
    void everySpellingMatchesWhatItSays() {
        assertThat(AddressPattern.parse("").matches("10.0.0.1")).isFalse();
        assertThat(AddressPattern.parse("*").matches("10.0.0.1")).isTrue();
        assertThat(AddressPattern.parse("*.*.*.*").matches("192.168.1.1")).isTrue();
        assertThat(AddressPattern.parse("10.0.0.1").matches("10.0.0.1")).isTrue();
        assertThat(AddressPattern.parse("10.0.0.1").matches("10.0.0.2")).isFalse();
        AddressPattern prefix = AddressPattern.parse("192.168.*.*");
        assertThat(prefix.matches("192.168.7.9")).isTrue();
        assertThat(prefix.matches("192.169.7.9")).isFalse();
        AddressPattern set = AddressPattern.parse("10.1.2.{3,4,5}");
        assertThat(set.matches("10.1.2.4")).isTrue();
        assertThat(set.matches("10.1.2.6")).isFalse();
        AddressPattern range = AddressPattern.parse("10.1.2.10-20");
        assertThat(range.matches("10.1.2.10")).isTrue();
        assertThat(range.matches("10.1.2.20")).isTrue();
        assertThat(range.matches("10.1.2.21")).isFalse();
        AddressPattern middle = AddressPattern.parse("10.1.10-20.*");
        assertThat(middle.matches("10.1.15.200")).isTrue();
        assertThat(middle.matches("10.1.21.0")).isFalse();
        AddressPattern list = AddressPattern.parse("10.0.0.1, 10.0.0.3");
        assertThat(list.matches("10.0.0.3")).isTrue();
        assertThat(list.matches("10.0.0.2")).isFalse();
        assertThat(AddressPattern.parse("::1").matches("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(AddressPattern.parse("fe80::*").matches("FE80::1")).isTrue();
        assertThat(AddressPattern.parse("10.0.0.*").matches("not-an-ip")).isFalse();
        assertThat(AddressPattern.parse("10.0.0.*").matches(null)).isFalse();
    }

    @Test
    void anUnreadablePatternSaysWhy() {
        assertThatThrownBy(() -> AddressPattern.parse("10.0.0")).hasMessageContaining("four parts");
        assertThatThrownBy(() -> AddressPattern.parse("10.0.300.1")).hasMessageContaining("'300'");
        assertThatThrownBy(() -> AddressPattern.parse("*.0.0.1")).hasMessageContaining("first part");
        assertThatThrownBy(() -> AddressPattern.parse("10.*.0.1")).hasMessageContaining("only '*'");
        assertThatThrownBy(() -> AddressPattern.parse("10.0.0.20-10")).hasMessageContaining("range");
    }
}

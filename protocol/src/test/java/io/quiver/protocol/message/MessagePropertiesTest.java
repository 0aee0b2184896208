package io.quiver.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Unit tier: reading one property without a map gives what the full parse gives. */
class MessagePropertiesTest {

    @Test
    void valueOfFindsTheNamedProperty() {
        String s = "TAGS\u0001TagA\u0002KEYS\u0001k1 k2\u0002UNIQ_KEY\u0001AC1\u0002WAIT\u0001true";
        assertThat(MessageProperties.valueOf(s, "KEYS")).isEqualTo("k1 k2");
        assertThat(MessageProperties.valueOf(s, "UNIQ_KEY")).isEqualTo("AC1");
        assertThat(MessageProperties.valueOf(s, "WAIT")).isEqualTo("true");
        assertThat(MessageProperties.valueOf(s, "KEY")).as("a prefix of a name is not the name").isNull();
        assertThat(MessageProperties.valueOf(s, "DELAY")).isNull();
        assertThat(MessageProperties.valueOf("", "KEYS")).isNull();
        assertThat(MessageProperties.valueOf(null, "KEYS")).isNull();
    }

    /** Random strings over the separators and a few name letters, compared with the full parse. */
    @Test
    void valueOfAgreesWithParseOnRandomStrings() {
        char[] alphabet = {'K', 'E', 'Y', 'S', 'x', MessageProperties.NAME_VALUE_SEPARATOR,
            MessageProperties.PROPERTY_SEPARATOR};
        String[] names = {"KEYS", "KEY", "K", "S", "x", "KEYSx"};
        Random rnd = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(24);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            for (String name : names) {
                assertThat(MessageProperties.valueOf(s, name)).as("%s in %s", name, s.replace('\u0001', '=')
                    .replace('\u0002', ';')).isEqualTo(MessageProperties.parse(s).get(name));
            }
        }
    }
}

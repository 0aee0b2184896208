package io.quiver.protocol.body;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quiver.protocol.ProtocolException;
import java.io.IOException;

/**
 * The one JSON mapper for request and response bodies. Reads leniently, as fastjson peers write
 * (unknown fields ignored, unquoted map keys accepted, fact sheet §12); writes standard JSON with quoted
 * keys, which fastjson clients read back into numeric keys. Bodies are plain classes with public
 * fields named exactly as on the wire.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
        .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
        .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
        .build();

    private Json() {}

    public static byte[] encode(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String encodeToString(Object body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Decodes a request body; a missing or malformed body is a {@link ProtocolException} naming the type. */
    public static <T> T decode(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw new ProtocolException("the request needs a " + type.getSimpleName() + " JSON body, and it has none");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new ProtocolException("the " + type.getSimpleName() + " JSON body is null");
            }
            return value;
        } catch (IOException e) {
            throw new ProtocolException("the body is not a valid " + type.getSimpleName() + " JSON document: "
                + (e instanceof com.fasterxml.jackson.core.JacksonException je ? je.getOriginalMessage() : e.getMessage()), e);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}

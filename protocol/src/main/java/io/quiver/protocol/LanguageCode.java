package io.quiver.protocol;

/** The sender's language as carried in every command header; codes are the official ordinals. */
public enum LanguageCode {
    JAVA, CPP, DOTNET, PYTHON, DELPHI, ERLANG, RUBY, OTHER, HTTP, GO, PHP, OMS, RUST, NODE_JS;

    private static final LanguageCode[] BY_CODE = values();

    public byte code() {
        return (byte) ordinal();
    }

    /** Unknown codes decode to {@link #OTHER}, as official peers tolerate unknown languages. */
    public static LanguageCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : OTHER;
    }

    public static LanguageCode ofName(String name) {
        if (name == null) {
            return OTHER;
        }
        for (LanguageCode c : BY_CODE) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        try {
            return of(Integer.parseInt(name));
        } catch (NumberFormatException e) {
            return OTHER;
        }
    }
}

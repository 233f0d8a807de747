package dev.flotilla.web;

/** What any text from a client must be to be stored: valid Unicode without NUL. */
public final class TextRules {
    private TextRules() {
    }

    /** Null when {@code text} may be stored, else why not (to follow "The value of x "). */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "contains a NUL character (at " + (i + 1) + ")";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired surrogate (at " + (i + 1) + ")";
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired surrogate (at " + (i + 1) + ")";
            }
        }
        return null;
    }

    /** Header-borne text (credentials, keys): also no control characters at all. */
    public static boolean isPlainText(String text) {
        if (problem(text) != null) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}

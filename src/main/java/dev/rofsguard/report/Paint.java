package dev.rofsguard.report;

import picocli.CommandLine.Help.Ansi.Style;

/**
 * How text reaches the reader: colours through picocli's ANSI styles (only when the door enables them), and
 * Unicode punctuation only when the terminal's charset is UTF-8 (ASCII otherwise).
 */
public record Paint(boolean ansi, boolean unicode) {

    public static final Paint PLAIN = new Paint(false, true);

    public String red(String s) {
        return style(s, Style.fg_red);
    }

    public String yellow(String s) {
        return style(s, Style.fg_yellow);
    }

    public String green(String s) {
        return style(s, Style.fg_green);
    }

    public String dim(String s) {
        return style(s, Style.faint);
    }

    public String bold(String s) {
        return style(s, Style.bold);
    }

    public String dash() {
        return unicode ? "\u2014" : "-";
    }

    /** Text from manifests and messages, made safe for an ASCII terminal. */
    public String text(String s) {
        if (unicode) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case 0x2014, 0x2013 -> out.append('-');
                case 0x2026 -> out.append("...");
                case 0x2192 -> out.append("->");
                case 0x201C, 0x201D -> out.append('"');
                case 0x2018, 0x2019 -> out.append('\'');
                default -> out.append(c < 0x80 ? Character.toString(c) : "?");
            }
        });
        return out.toString();
    }

    private String style(String s, Style style) {
        return ansi ? Style.on(style) + s + Style.off(style) + Style.reset.on() : s;
    }
}

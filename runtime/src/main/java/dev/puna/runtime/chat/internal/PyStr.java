package dev.puna.runtime.chat.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Python {@code str} methods ({@code s.strip()}, {@code s.split(',')}, ...) with Python's semantics, for
 * {@link PyMethodResolver}. Jinjava would otherwise call the Java method of the same name where one exists, with
 * Java semantics ({@code String.split} takes a regex; {@code String.replace} has no count), or fail.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class PyStr {
    /** The method names this class implements. */
    static final Set<String> METHODS = Set.of(
            "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "upper",
            "lower", "title", "capitalize", "swapcase", "replace", "join", "find", "rfind", "index", "rindex",
            "count", "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isspace", "isupper", "islower",
            "istitle", "removeprefix", "removesuffix", "center", "ljust", "rjust", "zfill");

    private PyStr() {
    }

    /**
     * Calls the Python method {@code name} on {@code s}.
     *
     * @throws IllegalArgumentException with a Python-like message on a wrong argument count or type
     */
    static Object call(String s, String name, Object[] args) {
        Object[] a = args == null ? new Object[0] : args;
        return switch (name) {
            case "strip" -> strip(s, optChars(name, a, 0), true, true);
            case "lstrip" -> strip(s, optChars(name, a, 0), true, false);
            case "rstrip" -> strip(s, optChars(name, a, 0), false, true);
            case "startswith" -> affix(s, a, name, true);
            case "endswith" -> affix(s, a, name, false);
            case "split" -> split(s, optChars(name, a, 0), (int) optInt(name, a, 1, -1));
            case "rsplit" -> rsplit(s, optChars(name, a, 0), (int) optInt(name, a, 1, -1));
            case "splitlines" -> splitlines(s, a.length > 0 && PyValues.truthy(a[0]));
            case "upper" -> noArgs(name, a, s.toUpperCase(Locale.ROOT));
            case "lower" -> noArgs(name, a, s.toLowerCase(Locale.ROOT));
            case "title" -> noArgs(name, a, title(s));
            case "capitalize" -> noArgs(name, a, capitalize(s));
            case "swapcase" -> noArgs(name, a, swapcase(s));
            case "replace" -> replace(s, str(name, a, 0), str(name, a, 1), optInt(name, a, 2, -1));
            case "join" -> join(s, arg(name, a, 0));
            case "find" -> (long) find(s, str(name, a, 0), a, false);
            case "rfind" -> (long) find(s, str(name, a, 0), a, true);
            case "index", "rindex" -> {
                int i = find(s, str(name, a, 0), a, name.equals("rindex"));
                if (i < 0) {
                    throw new IllegalArgumentException("substring not found");
                }
                yield (long) i;
            }
            case "count" -> (long) count(s, str(name, a, 0));
            case "isdigit", "isnumeric", "isdecimal" -> all(s, Character::isDigit);
            case "isalpha" -> all(s, Character::isLetter);
            case "isalnum" -> all(s, Character::isLetterOrDigit);
            case "isspace" -> all(s, PyStr::isSpace);
            case "isupper" -> cased(s, true);
            case "islower" -> cased(s, false);
            case "istitle" -> !s.isEmpty() && title(s).equals(s) && !s.equals(s.toLowerCase(Locale.ROOT));
            case "removeprefix" -> s.startsWith(str(name, a, 0)) ? s.substring(str(name, a, 0).length()) : s;
            case "removesuffix" -> {
                String suffix = str(name, a, 0);
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "center", "ljust", "rjust" -> pad(s, name, (int) optInt(name, a, 0, 0), optChars(name, a, 1));
            case "zfill" -> zfill(s, (int) optInt(name, a, 0, 0));
            default -> throw new IllegalArgumentException("'str' object has no attribute '" + name + "'");
        };
    }

    /** Python's {@code str.isspace()} for one character. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /** Python's {@code str.strip(chars)}; {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int begin = 0;
        int end = s.length();
        if (left) {
            while (begin < end && stripped(s.charAt(begin), chars)) {
                begin++;
            }
        }
        if (right) {
            while (end > begin && stripped(s.charAt(end - 1), chars)) {
                end--;
            }
        }
        return s.substring(begin, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** Python's {@code str.title()}: a cased letter after an uncased character is upper-cased, others lowered. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean isCased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
            if (isCased) {
                out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            } else {
                out.append(c);
            }
            previousCased = isCased;
        }
        return out.toString();
    }

    /** Python's {@code str.capitalize()}: the first character upper-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        return Character.toTitleCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String swapcase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c)
                    : Character.isLowerCase(c) ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    private static boolean affix(String s, Object[] a, String name, boolean prefix) {
        if (a.length < 1 || a.length > 3) {
            throw arity(name, "1 to 3", a.length);
        }
        int len = s.length();
        int start = a.length > 1 && a[1] != null ? sliceIndex(toLong(name, a[1]), len) : 0;
        int end = a.length > 2 && a[2] != null ? sliceIndex(toLong(name, a[2]), len) : len;
        String region = start <= end ? s.substring(start, end) : "";
        List<String> candidates = new ArrayList<>();
        if (a[0] instanceof Collection<?> c) {
            for (Object o : c) {
                candidates.add(requireString(name, o));
            }
        } else {
            candidates.add(requireString(name, a[0]));
        }
        for (String candidate : candidates) {
            if (prefix ? region.startsWith(candidate) : region.endsWith(candidate)) {
                return true;
            }
        }
        return false;
    }

    private static int sliceIndex(long i, int len) {
        long j = i < 0 ? Math.max(0, i + len) : Math.min(i, len);
        return (int) j;
    }

    /** Python's {@code str.split(sep, maxsplit)}; {@code sep == null} splits on runs of whitespace. */
    static List<String> split(String s, String sep, int maxsplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == n) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        List<String> reversed = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j == 0) {
                    break;
                }
                if (reversed.size() == maxsplit) {
                    reversed.add(strip(s.substring(0, j), null, true, false));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                reversed.add(s.substring(i, j));
                j = i;
            }
        } else {
            if (sep.isEmpty()) {
                throw new IllegalArgumentException("empty separator");
            }
            int to = s.length();
            while (reversed.size() < maxsplit) {
                int at = s.lastIndexOf(sep, to - sep.length());
                if (at < 0) {
                    break;
                }
                reversed.add(s.substring(at + sep.length(), to));
                to = at;
            }
            reversed.add(s.substring(0, to));
        }
        List<String> out = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
        return out;
    }

    private static List<String> splitlines(String s, boolean keepEnds) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int eol = -1;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                eol = i + 2;
            } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                eol = i + 1;
            }
            if (eol < 0) {
                i++;
                continue;
            }
            out.add(s.substring(start, keepEnds ? eol : i));
            start = eol;
            i = eol;
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        long done = 0;
        if (old.isEmpty()) {
            // Python inserts the replacement before every character and at the end, up to count times.
            for (int i = 0; i <= s.length(); i++) {
                if (done < count) {
                    out.append(replacement);
                    done++;
                }
                if (i < s.length()) {
                    out.append(s.charAt(i));
                }
            }
            return out.toString();
        }
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s.substring(from)).toString();
    }

    private static String join(String separator, Object iterable) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : PyValues.iterate(iterable)) {
            if (!first) {
                out.append(separator);
            }
            out.append(PyValues.str(item));
            first = false;
        }
        return out.toString();
    }

    private static int find(String s, String sub, Object[] a, boolean last) {
        int len = s.length();
        int start = a.length > 1 && a[1] != null ? sliceIndex(toLong("find", a[1]), len) : 0;
        int end = a.length > 2 && a[2] != null ? sliceIndex(toLong("find", a[2]), len) : len;
        if (start > end) {
            return -1;
        }
        String region = s.substring(start, end);
        int i = last ? region.lastIndexOf(sub) : region.indexOf(sub);
        return i < 0 ? -1 : i + start;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        int from = 0;
        while (true) {
            int at = s.indexOf(sub, from);
            if (at < 0) {
                return n;
            }
            n++;
            from = at + sub.length();
        }
    }

    private static boolean all(String s, java.util.function.IntPredicate p) {
        return !s.isEmpty() && s.chars().allMatch(p);
    }

    private static boolean cased(String s, boolean upper) {
        boolean anyCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (upper ? Character.isLowerCase(c) : Character.isUpperCase(c)) {
                return false;
            }
            anyCased |= upper ? Character.isUpperCase(c) : Character.isLowerCase(c);
        }
        return anyCased;
    }

    private static String pad(String s, String name, int width, String fill) {
        char f = fill == null ? ' ' : fill.length() == 1 ? fill.charAt(0) : badFill();
        int total = width - s.length();
        if (total <= 0) {
            return s;
        }
        int left = switch (name) {
            case "ljust" -> 0;
            case "rjust" -> total;
            // CPython's centring puts the odd character on the left when both total and width are odd.
            default -> total / 2 + (total & width & 1);
        };
        return String.valueOf(f).repeat(left) + s + String.valueOf(f).repeat(total - left);
    }

    private static char badFill() {
        throw new IllegalArgumentException("The fill character must be exactly one character long");
    }

    private static String zfill(String s, int width) {
        int total = width - s.length();
        if (total <= 0) {
            return s;
        }
        String zeros = "0".repeat(total);
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            return s.charAt(0) + zeros + s.substring(1);
        }
        return zeros + s;
    }

    private static <T> T noArgs(String name, Object[] a, T result) {
        if (a.length != 0) {
            throw arity(name, "no", a.length);
        }
        return result;
    }

    private static Object arg(String name, Object[] a, int i) {
        if (a.length <= i) {
            throw new IllegalArgumentException(name + "() takes at least " + (i + 1) + " argument(s)");
        }
        return a[i];
    }

    private static String str(String name, Object[] a, int i) {
        return requireString(name, arg(name, a, i));
    }

    private static String optChars(String name, Object[] a, int i) {
        return a.length > i && a[i] != null ? requireString(name, a[i]) : null;
    }

    private static long optInt(String name, Object[] a, int i, long dflt) {
        return a.length > i && a[i] != null ? toLong(name, a[i]) : dflt;
    }

    private static long toLong(String name, Object o) {
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw new IllegalArgumentException(name + "(): expected an integer, got " + PyValues.typeName(o));
    }

    private static String requireString(String name, Object o) {
        if (o instanceof CharSequence cs) {
            return cs.toString();
        }
        throw new IllegalArgumentException(name + "(): expected a str, got " + PyValues.typeName(o));
    }

    private static IllegalArgumentException arity(String name, String expected, int got) {
        return new IllegalArgumentException(name + "() takes " + expected + " arguments (" + got + " given)");
    }
}

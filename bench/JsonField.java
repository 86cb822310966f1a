import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prints the first numeric value of JSON field {@code args[0]} read from stdin (for the bench scripts). */
public class JsonField {
    public static void main(String[] args) throws IOException {
        String json = new String(System.in.readAllBytes());
        Matcher m = Pattern.compile("\"" + Pattern.quote(args[0]) + "\"\\s*:\\s*([-0-9.eE+]+)").matcher(json);
        if (!m.find()) {
            System.err.println("no numeric field " + args[0]);
            System.exit(1);
        }
        System.out.println(m.group(1));
    }
}

package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;
import java.util.List;
import java.util.Map;

/**
 * Jinja tests whose Jinjava versions disagree with Python. In Python a string and a dict are both iterable and
 * both sequences; Jinjava says no to both. It matters: Llama 3.1 decides with
 * {@code message.content is mapping or message.content is iterable} whether to JSON-encode a tool result, and
 * with Python's answer a plain string result is encoded (quoted), which is what the model was trained on.
 */
final class Tests {
    private Tests() {
    }

    /** Every replacement test. */
    static List<ExpTest> all() {
        return List.of(new IterableTest("iterable"), new IterableTest("sequence"));
    }

    private record IterableTest(String name) implements ExpTest {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof java.lang.Iterable<?> || var instanceof Map<?, ?> || var instanceof CharSequence
                    || var instanceof SafeString || (var != null && var.getClass().isArray());
        }
    }
}

package dev.puna.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void idsHaveOpenAisShapeAndCarryTheirCreationOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(Ids.next("msg"));
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertTrue(id.matches("msg_[0-9a-f]{14}[0-9a-z]{10}"), id);
            if (i > 0) {
                assertTrue(Ids.seqOf(id) > Ids.seqOf(ids.get(i - 1)), "strictly increasing");
                assertTrue(id.compareTo(ids.get(i - 1)) > 0, "sorting ids sorts by creation");
            }
        }
        long now = System.currentTimeMillis() / 1000;
        long created = Ids.epochSeconds(Ids.seqOf(ids.getLast()));
        assertTrue(Math.abs(now - created) <= 2, "created " + created + ", now " + now);
    }

    @Test
    void foreignIdsHaveNoSeq() {
        assertEquals(-1, Ids.seqOf("msg_abc"));
        assertEquals(-1, Ids.seqOf("call_ABCDEFGHIJKLMNOPQRSTUVWX"));
        assertEquals(-1, Ids.seqOf(null));
        assertEquals(0x1234L, Ids.seqOf("x_00000000001234abcdefghij"));
    }
}

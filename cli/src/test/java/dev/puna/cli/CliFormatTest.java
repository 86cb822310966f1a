package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The CLI's output formats: Ollama's sizes and relative times, aligned tables, progress lines. */
class CliFormatTest {
    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0             | 0 B
            999           | 999 B
            1000          | 1 KB
            1500          | 1.5 KB
            12345         | 12 KB
            541064        | 541 KB
            2019377376    | 2.0 GB
            4661224676    | 4.7 GB
            45000000000   | 45 GB
            1000000000000 | 1 TB
            """)
    void bytes(long bytes, String expected) {
        assertEquals(expected, HumanFormat.bytes(bytes));
    }

    @ParameterizedTest(name = "{0} s -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0          | Less than a second ago
            1          | 1 second ago
            59         | 59 seconds ago
            60         | About a minute ago
            150        | 2 minutes ago
            3599       | 59 minutes ago
            3600       | About an hour ago
            7200       | 2 hours ago
            172800     | 2 days ago
            1209600    | 2 weeks ago
            5184000    | 2 months ago
            63072000   | 2 years ago
            -270       | 4 minutes from now
            -3600      | About an hour from now
            """)
    void times(long secondsAgo, String expected) {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertEquals(expected, HumanFormat.time(now.minusSeconds(secondsAgo), now));
    }

    @Test
    void timesFarAheadAreForever() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertEquals("Forever", HumanFormat.time(now.plus(Duration.ofNanos(Long.MAX_VALUE)), now));
        assertEquals("Never", HumanFormat.time(null, now));
    }

    @Test
    void tablesAlignColumnsFourSpacesApart() {
        String table = new Table("NAME", "ID", "SIZE").row("llama3.2:latest", "a80c4f17acd5", "2.0 GB")
                .row("x:1", "0123456789ab", "541 KB").render();
        assertEquals("""
                NAME               ID              SIZE
                llama3.2:latest    a80c4f17acd5    2.0 GB
                x:1                0123456789ab    541 KB
                """, table);
        assertEquals("NAME    ID\n", new Table("NAME", "ID").render());
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }

    @Test
    void progressLines() {
        assertEquals("pulling manifest", ProgressPrinter.render("pulling manifest", 0, 0));
        assertEquals("pulling 0123456789ab:   0% ▕                    ▏ 0 B/2 MB",
                ProgressPrinter.render("pulling 0123456789ab", 2_000_000, 0));
        assertEquals("pulling 0123456789ab:  50% ▕██████████          ▏ 1 MB/2 MB",
                ProgressPrinter.render("pulling 0123456789ab", 2_000_000, 1_000_000));
        assertEquals("pulling 0123456789ab: 100% ▕████████████████████▏ 2 MB",
                ProgressPrinter.render("pulling 0123456789ab", 2_000_000, 2_000_000));
    }

    private static ObjectNode progress(String status, String digest, long total, long completed) {
        ObjectNode o = ApiClient.JSON.createObjectNode().put("status", status);
        if (digest != null) {
            o.put("digest", digest).put("total", total).put("completed", completed);
        }
        return o;
    }

    /** Without a terminal each status appears once, in its final state. */
    @Test
    void progressWithoutATerminalPrintsEachStatusOnce() {
        StringWriter out = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), false);
        p.update(progress("pulling manifest", null, 0, 0));
        p.update(progress("pulling 0123456789ab", "sha256:01", 2000, 0));
        p.update(progress("pulling 0123456789ab", "sha256:01", 2000, 1000));
        p.update(progress("pulling 0123456789ab", "sha256:01", 2000, 2000));
        p.update(progress("verifying sha256 digest", null, 0, 0));
        p.update(progress("success", null, 0, 0));
        p.finish();
        assertEquals("""
                pulling manifest
                pulling 0123456789ab: 100% ▕████████████████████▏ 2 KB
                verifying sha256 digest
                success
                """, out.toString());
    }

    /** On a terminal the current line is redrawn in place and kept when the next status begins. */
    @Test
    void progressOnATerminalRedrawsTheCurrentLine() {
        StringWriter out = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), true);
        p.update(progress("pulling 0123456789ab", "sha256:01", 2000, 1000));
        p.update(progress("pulling 0123456789ab", "sha256:01", 2000, 2000));
        p.update(progress("success", null, 0, 0));
        p.finish();
        assertEquals("\rpulling 0123456789ab:  50% ▕██████████          ▏ 1 KB/2 KB\u001b[K"
                + "\rpulling 0123456789ab: 100% ▕████████████████████▏ 2 KB\u001b[K\n"
                + "\rsuccess\u001b[K\n", out.toString());
    }

    @Test
    void processorColumn() {
        assertEquals("100% CPU", PsCommand.processor(1000, 0));
        assertEquals("100% GPU", PsCommand.processor(1000, 1000));
        assertEquals("48%/52% CPU/GPU", PsCommand.processor(1000, 520));
        // Ollama rounds the CPU share (Go's math.Round, half away from zero) and gives the GPU the rest: a CPU
        // share of 48.5% is 49%/51%, where rounding the GPU share (51.5% -> 52%) would print 48%/52%.
        assertEquals("49%/51% CPU/GPU", PsCommand.processor(1000, 515));
        // almost all on the GPU still shows the split, as Ollama does
        assertEquals("0%/100% CPU/GPU", PsCommand.processor(1000, 999));
        assertEquals("Unknown", PsCommand.processor(1000, 1001));
        assertEquals("Unknown", PsCommand.processor(0, 5));
    }
}

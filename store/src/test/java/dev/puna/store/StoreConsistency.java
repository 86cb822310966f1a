package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.internal.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Checks the invariants of a store directory at rest. */
final class StoreConsistency {
    private StoreConsistency() {
    }

    /**
     * Every manifest parses and all its blobs exist and hash to their names; every blob file is referenced by some
     * manifest (nothing leaked); no temporary files remain.
     */
    static void assertConsistent(ModelStore store) throws IOException {
        Path blobs = store.root().resolve("blobs");
        Set<String> referenced = new HashSet<>();
        for (ModelSummary m : store.list()) {
            ResolvedModel r = store.resolve(m.modelName().toString());
            for (Layer l : r.manifest().blobs()) {
                Path blob = blobs.resolve(l.digest().fileName());
                assertTrue(Files.isRegularFile(blob), m.name() + " is missing " + l.digest());
                assertEquals(l.digest(), Hashing.of(blob, null), blob + " does not match its name");
                assertEquals(l.size(), Files.size(blob));
                referenced.add(l.digest().fileName());
            }
        }
        try (Stream<Path> files = Files.list(blobs)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(referenced.stream().sorted().toList(), names, "blob files besides the referenced ones");
        }
        try (Stream<Path> files = Files.walk(store.root())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList());
        }
    }
}

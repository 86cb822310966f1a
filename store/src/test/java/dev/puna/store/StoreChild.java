package dev.puna.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link KillTest} starts and kills with SIGKILL in the middle of an operation:
 * {@code pull <root> <model>} or {@code create <root> <from> <to> <marker>} (a create whose quantizer writes
 * half a file, touches {@code marker} and then hangs).
 */
public final class StoreChild {
    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[1]);
        switch (args[0]) {
            case "pull" -> {
                ModelStore store = ModelStore.open(root);
                RegistryOptions options = RegistryOptions.builder().maxParts(4).partSize(1 << 20, 1 << 20)
                        .retryBackoff(Duration.ofMillis(10)).build();
                RegistryClient.create(store, options).pull(PullRequest.of(args[2], true), ProgressListener.NONE);
            }
            case "create" -> {
                Path marker = Path.of(args[4]);
                Quantizer hanging = (input, output, type, progress) -> {
                    Files.write(output, Files.readAllBytes(input), java.nio.file.StandardOpenOption.CREATE_NEW);
                    Files.createFile(marker);
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException("interrupted");
                    }
                };
                ModelStore store = ModelStore.builder(root).quantizer(hanging).open();
                store.create(CreateRequest.builder(args[3]).from(args[2]).system("new").quantize("q8_0").build(),
                        ProgressListener.NONE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }
}

package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.puna.cli.archfixture.BindingsUser;
import dev.puna.cli.archfixture.ForeignMemoryUser;
import dev.puna.cli.archfixture.RuntimeInternalsUser;
import dev.puna.bindings.NativeLibrary;
import dev.puna.runtime.LlamaCpp;
import dev.puna.runtime.internal.Backend;
import dev.puna.store.archfixture.StoreUsesRuntime;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * README's architecture, enforced: {@link ArchitectureRules} hold for the production classes of every module on
 * this (the CLI's) class path, and each rule rejects a fixture class that breaks it, so a rule that matches
 * nothing cannot pass silently. A source scan covers what bytecode cannot show: a {@code static final} constant
 * of the bindings is inlined by javac, leaving no trace for ArchUnit.
 */
class ArchitectureTest {
    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.puna");
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : List.of("dev.puna.gguf", "dev.puna.bindings", "dev.puna.testkit", "dev.puna.store",
                "dev.puna.runtime", "dev.puna.runtime.internal", "dev.puna.http", "dev.puna.cli")) {
            assertTrue(production.containPackage(pkg), pkg + " was not imported");
        }
        assertTrue(production.stream().noneMatch(c -> c.getPackageName().contains("archfixture")),
                "test fixtures leaked into the production import");
    }

    @Test
    void productionClassesFollowTheRules() {
        for (ArchRule rule : ArchitectureRules.ALL) {
            rule.check(production);
        }
    }

    @Test
    void nativeMemoryInTheCliIsRejected() {
        assertRejects(ArchitectureRules.NO_NATIVE_IN_HTTP_OR_CLI, ForeignMemoryUser.class, MemorySegment.class);
    }

    @Test
    void bindingsInTheCliAreRejected() {
        assertRejects(ArchitectureRules.NO_NATIVE_IN_HTTP_OR_CLI, BindingsUser.class, NativeLibrary.class);
        assertRejects(ArchitectureRules.LAYERS, BindingsUser.class, NativeLibrary.class);
    }

    @Test
    void runtimeInternalsOutsideTheRuntimeAreRejected() {
        assertRejects(ArchitectureRules.RUNTIME_INTERNALS_STAY_INSIDE, RuntimeInternalsUser.class, Backend.class);
    }

    @Test
    void storeDependingOnTheRuntimeIsRejected() {
        assertRejects(ArchitectureRules.LAYERS, StoreUsesRuntime.class, LlamaCpp.class);
    }

    @Test
    void httpAndCliSourcesNeverNameTheBindings() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Pattern forbidden = Pattern.compile("\\bdev\\.puna\\.bindings\\b|\\bjava\\.lang\\.foreign\\b");
        int scanned = 0;
        for (String module : List.of("http", "cli")) {
            Path src = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), src + " is missing");
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    assertTrue(!forbidden.matcher(text).find(), f + " names dev.puna.bindings or java.lang.foreign");
                    scanned++;
                }
            }
        }
        assertTrue(scanned > 50, "only " + scanned + " source files scanned");
    }

    @Test
    void theSourceScanCatchesAnInlinedConstant() {
        Pattern forbidden = Pattern.compile("\\bdev\\.puna\\.bindings\\b|\\bjava\\.lang\\.foreign\\b");
        // What VersionProvider did before the runtime offered LlamaCpp.release(): bytecode keeps only "v0.5.0".
        assertTrue(forbidden.matcher("\"(llama.cpp \" + dev.puna.bindings.NativeLibrary.LLAMA_CPP_RELEASE")
                .find());
        assertEquals(false, forbidden.matcher("import dev.puna.runtime.LlamaCpp;").find());
    }

    /**
     * The rule rejects {@code fixture}, naming it and the class it must not use. Both are imported: a layer rule
     * looks at who accesses the classes of a layer, so the used class must be part of the import.
     */
    private static void assertRejects(ArchRule rule, Class<?> fixture, Class<?> culprit) {
        JavaClasses classes = new ClassFileImporter().importClasses(fixture, culprit);
        AssertionError e = assertThrows(AssertionError.class, () -> rule.check(classes),
                () -> rule.getDescription() + " accepted " + fixture.getName());
        assertTrue(e.getMessage().contains(fixture.getName()) && e.getMessage().contains(culprit.getName()),
                e.getMessage());
    }
}

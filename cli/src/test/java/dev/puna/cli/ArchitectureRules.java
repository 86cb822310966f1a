package dev.puna.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules README.md promises, as ArchUnit rules over compiled classes. {@link ArchitectureTest}
 * checks them against the production classes of every module and against fixtures that break each one.
 */
final class ArchitectureRules {
    private ArchitectureRules() {
    }

    /** Native memory and the raw bindings are the runtime's business: the server and the CLI see Java types. */
    static final ArchRule NO_NATIVE_IN_HTTP_OR_CLI = noClasses()
            .that().resideInAnyPackage("dev.puna.http..", "dev.puna.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.puna.bindings..", "java.lang.foreign..")
            .because("only dev.puna.runtime touches llama.cpp's bindings and native memory");

    /** The runtime's internals (including {@code chat.internal}, {@code grammar.internal}) stay inside it. */
    static final ArchRule RUNTIME_INTERNALS_STAY_INSIDE = noClasses()
            .that().resideOutsideOfPackage("dev.puna.runtime..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.puna.runtime.internal..",
                    "dev.puna.runtime..internal..")
            .because("dev.puna.runtime's internal packages are not part of its API");

    /**
     * The module graph: {@code bindings → runtime → http → cli} and {@code gguf → store → http → cli}; the
     * testkit (generated models) is used by the CLI's demo only, and nothing reaches back up.
     */
    static final ArchRule LAYERS = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            // ArchitectureTest checks that every layer has classes; optional here so that a fixture's check
            // fails for its violation alone.
            .withOptionalLayers(true)
            .layer("gguf").definedBy("dev.puna.gguf..")
            .layer("bindings").definedBy("dev.puna.bindings..")
            .layer("testkit").definedBy("dev.puna.testkit..")
            .layer("store").definedBy("dev.puna.store..")
            .layer("runtime").definedBy("dev.puna.runtime..")
            .layer("http").definedBy("dev.puna.http..")
            .layer("cli").definedBy("dev.puna.cli..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("http").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("store").mayOnlyBeAccessedByLayers("http", "cli")
            .whereLayer("runtime").mayOnlyBeAccessedByLayers("http", "cli")
            .whereLayer("testkit").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("bindings").mayOnlyBeAccessedByLayers("runtime")
            .whereLayer("gguf").mayOnlyBeAccessedByLayers("testkit", "store", "runtime", "http", "cli");

    /** Every rule, for the production check. */
    static final ArchRule[] ALL = {NO_NATIVE_IN_HTTP_OR_CLI, RUNTIME_INTERNALS_STAY_INSIDE, LAYERS};
}

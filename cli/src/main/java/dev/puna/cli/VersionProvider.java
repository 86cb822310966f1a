package dev.puna.cli;

import dev.puna.runtime.LlamaCpp;
import picocli.CommandLine;

/** Reports Puna's version and the llama.cpp release the runtime is built on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"puna " + (v == null ? "dev" : v) + " (llama.cpp " + LlamaCpp.release() + ")"};
    }
}

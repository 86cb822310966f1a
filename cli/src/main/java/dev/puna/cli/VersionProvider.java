package dev.puna.cli;

import dev.puna.http.PunaVersion;
import dev.puna.runtime.LlamaCpp;
import picocli.CommandLine;

/** Reports Puna's version (as the build stamped it) and the llama.cpp release the runtime is built on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"puna " + PunaVersion.current() + " (llama.cpp " + LlamaCpp.release() + ")"};
    }
}

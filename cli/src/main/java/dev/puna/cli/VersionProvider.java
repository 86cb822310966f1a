package dev.puna.cli;

import picocli.CommandLine;

/** Reports Puna's version and the llama.cpp release it is built on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"puna " + (v == null ? "dev" : v) + " (llama.cpp "
                + dev.puna.bindings.NativeLibrary.LLAMA_CPP_RELEASE + ")"};
    }
}

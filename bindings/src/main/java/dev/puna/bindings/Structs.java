package dev.puna.bindings;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link StructLayout}s the way a C compiler lays structs out: natural alignment, trailing padding. */
final class Structs {
    private Structs() {
    }

    /**
     * A C struct of the given named members. Padding is inserted before each member to its alignment and at
     * the end to the struct's alignment, exactly as the SysV x86-64 / AAPCS64 ABIs do. Whether this matches the
     * real header is not assumed: LayoutProbeTest compares every offset with the compiled llama.h.
     */
    static StructLayout struct(String name, MemoryLayout... members) {
        List<MemoryLayout> out = new ArrayList<>();
        long offset = 0;
        long maxAlign = 1;
        int pad = 0;
        for (MemoryLayout m : members) {
            long align = m.byteAlignment();
            maxAlign = Math.max(maxAlign, align);
            long misalign = offset % align;
            if (misalign != 0) {
                out.add(MemoryLayout.paddingLayout(align - misalign).withName("$pad" + pad++));
                offset += align - misalign;
            }
            out.add(m);
            offset += m.byteSize();
        }
        long tail = offset % maxAlign;
        if (tail != 0) {
            out.add(MemoryLayout.paddingLayout(maxAlign - tail).withName("$pad" + pad));
        }
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new)).withName(name);
    }
}

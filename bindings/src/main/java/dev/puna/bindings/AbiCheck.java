package dev.puna.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the bindings with the output of native/probe/layout_probe.cpp (compiled against the real llama.h):
 * struct sizes and alignments, every member's offset and size, every bound function's ABI signature, and the
 * values of the header's macros the bindings copy ({@link Llama#constants()}). Any difference is a problem line
 * naming the struct, member, function or constant, so a llama.cpp bump that moved the ABI fails loudly and says
 * where.
 */
public final class AbiCheck {
    private AbiCheck() {
    }

    /** Returns the problems found, constants checked against {@link Llama#constants()}. */
    public static List<String> compare(List<String> probeLines, List<StructLayout> layouts,
                                       List<Native.Binding> bindings) {
        return compare(probeLines, layouts, bindings, Llama.constants());
    }

    /** Returns the problems found; empty when the bindings and {@code constants} match the probe exactly. */
    public static List<String> compare(List<String> probeLines, List<StructLayout> layouts,
                                       List<Native.Binding> bindings, Map<String, Long> constants) {
        Map<String, Long> consts = new LinkedHashMap<>();
        Map<String, long[]> structs = new HashMap<>();
        Map<String, Map<String, long[]>> fields = new HashMap<>();
        Map<String, String> funcs = new LinkedHashMap<>();
        for (String line : probeLines) {
            String[] p = line.strip().split("\\s+");
            switch (p[0]) {
                case "struct" -> structs.put(p[1], new long[] {Long.parseLong(p[2]), Long.parseLong(p[3])});
                case "field" -> fields.computeIfAbsent(p[1], k -> new LinkedHashMap<>())
                        .put(p[2], new long[] {Long.parseLong(p[3]), Long.parseLong(p[4])});
                case "func" -> funcs.put(p[1], String.join(" ", List.of(p).subList(2, p.length)));
                case "const" -> consts.put(p[1], Long.parseLong(p[2]));
                default -> {
                    if (!line.isBlank()) {
                        throw new IllegalArgumentException("unexpected probe line: " + line);
                    }
                }
            }
        }

        List<String> problems = new ArrayList<>();
        for (StructLayout layout : layouts) {
            String name = layout.name().orElseThrow();
            long[] c = structs.get(name);
            if (c == null) {
                problems.add("struct " + name + ": not reported by the probe (add it to layout_probe.cpp)");
                continue;
            }
            if (c[0] != layout.byteSize() || c[1] != layout.byteAlignment()) {
                problems.add("struct " + name + ": C sizeof/alignof " + c[0] + "/" + c[1] + ", Java "
                        + layout.byteSize() + "/" + layout.byteAlignment());
            }
            Map<String, long[]> cFields = fields.getOrDefault(name, Map.of());
            Set<String> javaNames = new TreeSet<>();
            long offset = 0;
            for (MemoryLayout member : layout.memberLayouts()) {
                if (!(member instanceof PaddingLayout)) {
                    String field = member.name().orElseThrow();
                    javaNames.add(field);
                    long[] cf = cFields.get(field);
                    if (cf == null) {
                        problems.add("field " + name + "." + field + ": not in the C struct (or not probed)");
                    } else if (cf[0] != offset || cf[1] != member.byteSize()) {
                        problems.add("field " + name + "." + field + ": C offset/size " + cf[0] + "/" + cf[1]
                                + ", Java " + offset + "/" + member.byteSize());
                    }
                }
                offset += member.byteSize();
            }
            for (String cField : cFields.keySet()) {
                if (!javaNames.contains(cField)) {
                    problems.add("field " + name + "." + cField + ": in C but missing from the Java layout");
                }
            }
        }

        Set<String> bound = new TreeSet<>();
        for (Native.Binding b : bindings) {
            bound.add(b.name());
            String c = funcs.get(b.name());
            String java = signature(b.descriptor());
            if (c == null) {
                problems.add("function " + b.name() + ": bound in Java but not checked by the probe (add it to layout_probe.cpp)");
            } else if (!c.equals(java)) {
                problems.add("function " + b.name() + ": C signature (" + c + "), Java (" + java + ")");
            }
        }
        for (String f : funcs.keySet()) {
            if (!bound.contains(f)) {
                problems.add("function " + f + ": probed but not bound in Java");
            }
        }
        for (Map.Entry<String, Long> c : constants.entrySet()) {
            Long value = consts.get(c.getKey());
            if (value == null) {
                problems.add("constant " + c.getKey() + ": not checked by the probe (add it to layout_probe.cpp)");
            } else if (!value.equals(c.getValue())) {
                problems.add("constant " + c.getKey() + ": C " + value + ", Java " + c.getValue());
            }
        }
        for (String c : consts.keySet()) {
            if (!constants.containsKey(c)) {
                problems.add("constant " + c + ": probed but not in Java");
            }
        }
        return problems;
    }

    /** The probe's notation for a descriptor: return kind then parameter kinds. */
    static String signature(FunctionDescriptor d) {
        StringBuilder sb = new StringBuilder(d.returnLayout().map(AbiCheck::kind).orElse("void"));
        for (MemoryLayout arg : d.argumentLayouts()) {
            sb.append(' ').append(kind(arg));
        }
        return sb.toString();
    }

    private static String kind(MemoryLayout l) {
        if (l instanceof StructLayout s) {
            return "struct" + s.byteSize();
        }
        if (l instanceof java.lang.foreign.AddressLayout) {
            return "ptr";
        }
        if (l instanceof ValueLayout v) {
            Class<?> c = v.carrier();
            if (c == boolean.class) {
                return "bool";
            }
            if (c == float.class) {
                return "float";
            }
            if (c == double.class) {
                return "double";
            }
            return "int" + (8 * v.byteSize());
        }
        throw new IllegalArgumentException("unsupported layout " + l);
    }
}

package dev.puna.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics over measurements. */
final class Stats {
    private Stats() {
    }

    /** The {@code p}-th percentile (0..100) by nearest rank. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }
}

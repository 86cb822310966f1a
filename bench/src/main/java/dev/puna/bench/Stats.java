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

    /**
     * The median of {@code b[i] / a[i]} over the runs both lists have: run i of each server ran back to back, so
     * a drift in the machine's speed (minutes long on a shared VM) falls on both sides of each ratio alike, where
     * the ratio of the two medians can pair a fast stretch of one server with a slow one of the other.
     */
    static double pairedRatio(List<Double> a, List<Double> b) {
        int n = Math.min(a.size(), b.size());
        List<Double> ratios = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ratios.add(b.get(i) / a.get(i));
        }
        return median(ratios);
    }
}

package dev.puna.runtime.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which engines of this process compute and which have a decode thread waiting for work, so that an idle engine's
 * thread goes as soon as another engine computes instead of after its keep-alive.
 *
 * <p>Why: with llama.cpp's CPU backend built with OpenMP, each thread that computes a graph keeps a team of worker
 * threads, and once the teams hold more threads than there are cores libgomp has every team sleep on a futex between
 * two graphs instead of spinning. An idle engine's team (kept for its keep-alive, so that a conversation's next turn
 * finds it) thus slows the engine that computes now: a speculative 96-token stream started right after another model
 * of the same server answered decoded at 39.9 tok/s, against 45.4 when it started 1.3 s later (2-core VM, medians of
 * eight). A thread asked to go while its engine is still idle goes as after its keep-alive; the engine's next work
 * starts another, whose team costs a few thread starts.
 *
 * <p>Both sides are covered: an engine that starts computing asks the idle ones to go ({@link #computing}), and an
 * engine that starts waiting while another computes is told to go ({@link #waiting}).
 */
public final class DecodeThreads {
    /** An engine whose idle decode thread can be asked to go. */
    public interface Idler {
        /** Asks the decode thread to go now if its engine is still idle; takes only that engine's own lock. */
        void leaveIfIdle();
    }

    private static final Set<Idler> COMPUTING = ConcurrentHashMap.newKeySet();
    private static final Set<Idler> IDLE = ConcurrentHashMap.newKeySet();

    private DecodeThreads() {
    }

    /**
     * {@code self}'s decode thread is about to compute after waiting: every other idle engine is asked to let its
     * thread go. Call holding no engine's lock (each {@link Idler#leaveIfIdle} takes its own).
     */
    public static void computing(Idler self) {
        COMPUTING.add(self); // before looking at the idle ones: an engine that starts waiting now sees this one
        for (Idler other : IDLE) {
            if (other != self) {
                other.leaveIfIdle();
            }
        }
    }

    /**
     * {@code self}'s decode thread waits for work; with {@code mayLeave} it may be asked to go until
     * {@link #stopWaiting}. Returns true when it should go at once: another engine computes now.
     */
    public static boolean waiting(Idler self, boolean mayLeave) {
        COMPUTING.remove(self);
        if (!mayLeave) {
            return false;
        }
        IDLE.add(self); // before looking at the computing ones: an engine that starts computing now asks this one
        return !COMPUTING.isEmpty();
    }

    /** {@code self}'s decode thread stopped waiting (work came, or it goes). */
    public static void stopWaiting(Idler self) {
        IDLE.remove(self);
    }

    /** {@code self}'s decode thread has ended. */
    public static void gone(Idler self) {
        COMPUTING.remove(self);
        IDLE.remove(self);
    }
}

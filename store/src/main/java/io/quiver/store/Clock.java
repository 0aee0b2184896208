package io.quiver.store;

/** Wall-clock time in milliseconds, behind an interface so tests can control it. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::currentTimeMillis;

    long millis();
}

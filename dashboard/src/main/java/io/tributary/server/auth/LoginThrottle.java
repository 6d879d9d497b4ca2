package io.tributary.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@value #PER_USER} failed logins for one user from one address, or
 * {@value #PER_ADDRESS} from one address for any users, within {@link #WINDOW}, that address waits
 * until the oldest failure leaves the window. Kept in memory: a restart forgives, which is acceptable
 * against online guessing at bcrypt's speed.
 */
final class LoginThrottle {
    static final int PER_USER = 5;
    static final int PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(5);

    private final Clock clock;
    private final ConcurrentHashMap<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code address} must wait before trying {@code user} again; zero when it may try now. */
    Duration waitFor(String user, String address) {
        Instant now = clock.instant();
        Duration perUser = waitOn("u:" + address + "|" + user, PER_USER, now);
        Duration perAddress = waitOn("a:" + address, PER_ADDRESS, now);
        return perUser.compareTo(perAddress) >= 0 ? perUser : perAddress;
    }

    void failed(String user, String address) {
        Instant now = clock.instant();
        record("u:" + address + "|" + user, now);
        record("a:" + address, now);
    }

    void succeeded(String user, String address) {
        failures.remove("u:" + address + "|" + user);
    }

    private Duration waitOn(String key, int limit, Instant now) {
        Deque<Instant> times = failures.get(key);
        if (times == null) {
            return Duration.ZERO;
        }
        synchronized (times) {
            prune(times, now);
            if (times.size() < limit) {
                return Duration.ZERO;
            }
            return Duration.between(now, times.peekFirst().plus(WINDOW));
        }
    }

    private void record(String key, Instant now) {
        Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now);
            times.addLast(now);
        }
    }

    private static void prune(Deque<Instant> times, Instant now) {
        while (!times.isEmpty() && !now.isBefore(times.peekFirst().plus(WINDOW))) {
            times.removeFirst();
        }
    }
}

package io.tributary.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Asks many slow things at once for one request: the clusters of a page or an API list, each asked
 * over the network with its own timeout, so that several that do not answer (an outage, when on-call
 * looks) cost the request one timeout rather than one each.
 */
public final class Concurrently {
    /** Shared by every request; idle threads end after a minute. */
    private static final ThreadPoolExecutor ASKERS = new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "tributary-ask");
                t.setDaemon(true);
                return t;
            });

    static {
        ASKERS.allowCoreThreadTimeOut(true);
    }

    private Concurrently() {}

    /** {@code ask} of every item, all started at once, the answers in the items' order. */
    public static <T, R> List<R> map(List<T> items, Function<T, R> ask) {
        List<CompletableFuture<R>> asked = items.stream()
                .map(item -> CompletableFuture.supplyAsync(() -> ask.apply(item), ASKERS))
                .toList();
        return asked.stream().map(CompletableFuture::join).toList();
    }
}

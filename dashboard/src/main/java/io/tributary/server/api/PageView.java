package io.tributary.server.api;

import java.util.List;

/**
 * One page of a list: {@code items}, how many match in all ({@code total}), and the {@code limit} and
 * {@code offset} the page was read with. The next page is at {@code offset + limit} while that is below
 * {@code total}.
 */
public record PageView<T>(List<T> items, long total, int limit, long offset) {}

package io.tributary.alert;

import java.util.Map;

/**
 * A notice rendered for one channel: a title (an email's subject, a chat card's title), the text,
 * and the variables it was rendered from (the generic webhook sends them as JSON fields).
 */
record Message(String title, String text, Map<String, Object> variables) {}

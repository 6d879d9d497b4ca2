package io.tributary.alert;

/** Delivers a rendered message to one channel, once; retries are the caller's. */
interface Sender {
    /**
     * @return what the receiver answered, for the delivery record
     * @throws DeliveryFailed when the receiver refused the message or could not be reached
     */
    String send(Message message) throws DeliveryFailed;

    /** A delivery that did not happen, with what went wrong in words for the dashboard (never a secret). */
    final class DeliveryFailed extends Exception {
        DeliveryFailed(String message) {
            super(message);
        }

        DeliveryFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

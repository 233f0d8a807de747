package dev.flotilla.store;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

/**
 * What a failure from PostgreSQL means for the caller, so that no SQLState, constraint name or
 * database address ever reaches a client: the database could not be reached, a concurrent change
 * won, a value broke a rule of the schema, or something else (a bug).
 */
public final class StoreFailures {
    public enum Kind {
        /** The database is down, restarting or out of connections: retry later (503). */
        UNAVAILABLE,
        /** A unique key or a serialization conflict: another change won (409). */
        CONFLICT,
        /** A value the schema refuses (check, not-null, foreign key, bad encoding): the request's fault (400). */
        INVALID,
        OTHER
    }

    private StoreFailures() {
    }

    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseException db && db.getSqlState() != null) {
                return bySqlState(db.getSqlState());
            }
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof ClosedChannelException || t instanceof IOException) {
                return Kind.UNAVAILABLE;
            }
            if (t instanceof VertxException && isPoolTrouble(t.getMessage())) {
                return Kind.UNAVAILABLE;
            }
        }
        return Kind.OTHER;
    }

    private static Kind bySqlState(String state) {
        if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53") || state.startsWith("58")) {
            return Kind.UNAVAILABLE;
        }
        if (state.equals("23505") || state.equals("23P01") || state.equals("40001") || state.equals("40P01")) {
            return Kind.CONFLICT;
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            return Kind.INVALID;
        }
        return Kind.OTHER;
    }

    /** The pool's own failures carry no type of their own, only these messages. */
    private static boolean isPoolTrouble(String message) {
        return message != null && (message.startsWith("Timeout") || message.equals("Pool closed")
                || message.startsWith("Connection closed") || message.contains("Connection refused"));
    }
}

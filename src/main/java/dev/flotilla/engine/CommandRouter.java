package dev.flotilla.engine;

import dev.flotilla.OperationException;
import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.bus.CommandRequest;
import dev.flotilla.cluster.Membership;
import dev.flotilla.domain.Command;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Sends each command on an existing service to the node that owns it (over the clustered event
 * bus, {@code engine.command.<node>}), so one node at a time plans and calls the cloud for a
 * service; a service whose owner is gone is claimed and the command runs here. Other commands
 * (instantiate, templates, purge) run where they arrive: a new service is this node's.
 */
final class CommandRouter {
    private static final String FORWARDED = "flotilla-forwarded";
    private static final DeliveryOptions FORWARD = new DeliveryOptions().setSendTimeout(15_000)
            .addHeader(FORWARDED, "1");

    private final EventBus bus;
    private final Membership membership;
    private final LeaseKeeper leases;
    private final CommandHandler commands;

    CommandRouter(EventBus bus, Membership membership, LeaseKeeper leases, CommandHandler commands) {
        this.bus = bus;
        this.membership = membership;
        this.leases = leases;
        this.commands = commands;
    }

    /** The node's own address for commands forwarded by other nodes. */
    static String address(String node) {
        return Addresses.ENGINE_COMMAND + "." + node;
    }

    Future<CommandReply> route(CommandRequest request, boolean forwarded) {
        if (!(request.command() instanceof Command.OnService c) || membership.owns(c.serviceId())) {
            return commands.handle(request);
        }
        int id = c.serviceId();
        return leases.ownerOf(id).compose(owner -> {
            if (owner.isEmpty()) {
                return commands.handle(request); // no such service: the handler answers 404
            }
            String node = owner.get().node();
            if (node != null && owner.get().alive() && !node.equals(membership.nodeId()) && !forwarded) {
                return bus.<CommandReply>request(address(node), request, FORWARD).map(m -> m.body())
                        .recover(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE
                                ? Future.failedFuture(OperationException.fromJson(r.failureCode(), r.getMessage()))
                                : Future.failedFuture(OperationException.unavailable("The node owning service " + id)));
            }
            return leases.claim(id).compose(mine -> mine ? commands.handle(request)
                    : Future.failedFuture(OperationException.unavailable("The node owning service " + id)));
        });
    }

    static boolean forwarded(io.vertx.core.MultiMap headers) {
        return headers.contains(FORWARDED);
    }
}

package dev.rofsguard.web;

import dev.rofsguard.admission.AdmissionReviews;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** No stack trace ever leaves the server: unexpected failures are logged and answered with a JSON Status. */
public class ErrorMapping {

    @jakarta.inject.Inject
    Refusals refusals;

    private static final Logger LOG = Logger.getLogger(ErrorMapping.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return json(status, status == 404 ? "no such endpoint" : e.getMessage());
    }

    /** A body that could not be read; RESTEasy Reactive reports a chunked body over the limit this way. */
    @ServerExceptionMapper
    public Response unreadable(java.io.IOException e) {
        if ("Request too large".equals(e.getMessage())) {
            refusals.count(Refusals.BODY_TOO_LARGE);
            return json(413, "request body is over the limit (rofs-guard.max-body-size)");
        }
        return json(400, "request body could not be read: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure while answering an admission request", e);
        return json(500, "internal error: " + e.getClass().getSimpleName());
    }

    private static Response json(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(AdmissionReviews.error(status, message)).build();
    }
}

package dev.rofsguard.admission;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Operation;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import dev.rofsguard.mutation.Plan;

/** AdmissionReview v1 in and out: parse the tree once, answer exactly as the API server expects. */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AdmissionReviews() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses and checks a review; every way it can be wrong is a {@link BadReviewException} with a 4xx status. */
    public static AdmissionRequest parse(byte[] body) throws BadReviewException {
        return parse(body, TreeAllowance.UNBOUNDED);
    }

    /** The heap the parsed tree of this body takes, as the parser counts it against a {@link TreeAllowance}. */
    public static long treeHeap(byte[] body) throws IOException {
        return ReviewTree.heap(body);
    }

    /**
     * As {@link #parse(byte[])}, the tree within an allowance of heap: a tree that outgrows it (and gets no more from
     * the memory budget) is a {@link BadReviewException} with 503, as a body the budget refused outright.
     */
    public static AdmissionRequest parse(byte[] body, TreeAllowance allowance) throws BadReviewException {
        if (body.length == 0) {
            throw new BadReviewException(400, "request body is empty; expected an AdmissionReview");
        }
        JsonNode root;
        try {
            root = ReviewTree.read(body, allowance); // the stream limits, nothing after the document, managedFields left out
        } catch (ReviewTree.TooLarge e) {
            throw new BadReviewException(503, "server busy: this review's parsed tree needs more than the " + e.bytes
                    + " bytes of heap the memory budget can give it now (rofs-guard.memory-budget); retry");
        } catch (StreamConstraintsException e) {
            // Thrown before a location is known: the message alone says which limit (depth, number, name length).
            throw new BadReviewException(400, "request body is over a JSON limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadReviewException(400, "request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException | RuntimeException e) {
            // Whatever else the parser throws is still bad input, never a 500.
            throw new BadReviewException(400, "request body could not be read: " + e.getMessage());
        }
        return parse(root);
    }

    public static AdmissionRequest parse(JsonNode root) throws BadReviewException {
        if (root == null || root.isMissingNode()) {
            throw new BadReviewException(400, "request body is empty; expected an AdmissionReview");
        }
        if (!root.isObject()) {
            throw new BadReviewException(400, "request body is a JSON " + root.getNodeType().name().toLowerCase()
                    + "; expected an AdmissionReview object");
        }
        String apiVersion = root.path("apiVersion").asText("");
        if (!API_VERSION.equals(apiVersion)) {
            throw new BadReviewException(400, "unsupported apiVersion '" + apiVersion + "': rofs-guard speaks "
                    + API_VERSION + " only; set admissionReviewVersions: [v1] in the webhook configuration");
        }
        if (!KIND.equals(root.path("kind").asText(""))) {
            throw new BadReviewException(400, "kind must be AdmissionReview, got '" + root.path("kind").asText("") + "'");
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) {
            throw new BadReviewException(400, "AdmissionReview has no request object");
        }
        String uid = text(request, "uid");
        if (uid.isEmpty()) {
            throw new BadReviewException(400, "request.uid is missing");
        }
        JsonNode kind = request.path("kind");
        if (!kind.path("kind").isTextual()) {
            throw new BadReviewException(400, "request.kind.kind is missing");
        }
        Operation operation;
        try {
            operation = Operation.valueOf(text(request, "operation"));
        } catch (IllegalArgumentException e) {
            throw new BadReviewException(400, "request.operation '" + text(request, "operation")
                    + "' is not one of CREATE, UPDATE, DELETE, CONNECT");
        }
        String subResource = text(request, "subResource");
        return new AdmissionRequest(uid, text(kind, "group"), text(kind, "version"), kind.path("kind").textValue(),
                subResource.isEmpty() ? null : subResource, text(request, "name"), text(request, "namespace"),
                operation, request.path("dryRun").asBoolean(false), request.get("object"), request.get("oldObject"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : "";
    }

    /**
     * The answer of the validating webhook, as bytes. Written straight to the generator, with no tree in between:
     * this is the last step of every admission.
     */
    public static byte[] validated(String uid, Decision decision) {
        return write(1024 + (decision.message() == null ? 0 : decision.message().length() + 64), g -> {
            envelope(g, uid, decision.allowed());
            if (!decision.allowed()) {
                g.writeObjectFieldStart("status");
                g.writeNumberField("code", 403);
                g.writeStringField("reason", "Forbidden");
                g.writeStringField("message", decision.message());
                g.writeEndObject();
            }
            warnings(g, decision.warnings());
            auditAnnotations(g, decision.auditAnnotations());
        });
    }

    /** The answer of the mutating webhook: allowed, with the plan as a JSON Patch when it has operations. */
    public static byte[] mutated(String uid, Plan plan) {
        // Written before the answer, not inside it: a generator nested in another finds Jackson's per-thread
        // buffers taken and allocates its own (some 12 KB per admission).
        byte[] patch = plan.isEmpty() ? null : toBytes(plan.jsonPatch());
        return write(patch == null ? 1024 : 1024 + patch.length * 4 / 3, g -> {
            envelope(g, uid, true);
            warnings(g, plan.warnings());
            if (!plan.changes().isEmpty()) {
                StringBuilder s = new StringBuilder();
                plan.changes().forEach((container, change) -> s.append(s.length() == 0 ? "" : "; ").append(container)
                        .append(": ").append(String.join(",", change.mounted()))
                        .append(change.readOnlyRootFilesystem() ? " +readOnlyRootFilesystem" : ""));
                auditAnnotations(g, Map.of("mutated", s.toString()));
            }
            if (patch != null) {
                g.writeStringField("patchType", "JSONPatch");
                g.writeFieldName("patch");
                g.writeBinary(patch); // JSON's binary is standard Base64, as the API expects
            }
        });
    }

    /** Writes {@code {"apiVersion", "kind", "response": {"uid", "allowed", …}}}: the body closes both objects. */
    private static byte[] write(int expectedSize, ResponseBody body) {
        // Jackson's recycled buffers, as ObjectMapper.writeValueAsBytes takes them: a fresh ByteArrayBuilder per
        // answer made writing it 1.78 µs against 1.03 (issue 10's benchmark).
        BufferRecycler recycler = MAPPER.getFactory()._getBufferRecycler();
        try (ByteArrayBuilder out = new ByteArrayBuilder(recycler, expectedSize)) {
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                body.write(g);
                g.writeEndObject();
                g.writeEndObject();
            }
            return out.getClearAndRelease();
        } catch (IOException e) {
            // Writing to memory what we built ourselves does not fail; keep the signature clean for callers.
            throw new IllegalStateException(e);
        } finally {
            recycler.releaseToPool();
        }
    }

    @FunctionalInterface
    private interface ResponseBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static void envelope(JsonGenerator g, String uid, boolean allowed) throws IOException {
        g.writeStartObject();
        g.writeStringField("apiVersion", API_VERSION);
        g.writeStringField("kind", KIND);
        g.writeObjectFieldStart("response");
        g.writeStringField("uid", uid);
        g.writeBooleanField("allowed", allowed);
    }

    private static void warnings(JsonGenerator g, List<String> warnings) throws IOException {
        if (!warnings.isEmpty()) {
            g.writeArrayFieldStart("warnings");
            for (String w : warnings) {
                g.writeString(w);
            }
            g.writeEndArray();
        }
    }

    private static void auditAnnotations(JsonGenerator g, Map<String, String> annotations) throws IOException {
        if (!annotations.isEmpty()) {
            g.writeObjectFieldStart("auditAnnotations");
            for (Map.Entry<String, String> e : annotations.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
    }

    /** A JSON error body for transport-level failures (bad input): never a stack trace. */
    public static byte[] error(int status, String message) {
        ObjectNode error = NODES.objectNode();
        error.put("kind", "Status");
        error.put("apiVersion", "v1");
        error.put("status", "Failure");
        error.put("code", status);
        error.put("message", message);
        return toBytes(error);
    }

    public static byte[] toBytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // A tree we built ourselves always serialises; keep the signature clean for callers.
            throw new IllegalStateException(e);
        }
    }

    public static String toPrettyString(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.rofsguard.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Operation;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import dev.rofsguard.mutation.Plan;

/** AdmissionReview v1 in and out: parse the tree once, answer exactly as the API server expects. */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * For request bodies only: Jackson's stream limits made explicit (nesting 1,000, numbers 1,000 digits, names
     * 50,000 characters, the API server accepts none of these anyway) and nothing after the document.
     */
    private static final ObjectReader REQUEST_READER;

    static {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(1000).maxNumberLength(1000).maxNameLength(50_000).build()).build();
        REQUEST_READER = new ObjectMapper(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AdmissionReviews() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses and checks a review; every way it can be wrong is a {@link BadReviewException} with a 4xx status. */
    public static AdmissionRequest parse(byte[] body) throws BadReviewException {
        if (body.length == 0) {
            throw new BadReviewException(400, "request body is empty; expected an AdmissionReview");
        }
        JsonNode root;
        try {
            root = REQUEST_READER.readTree(body);
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

    /** The answer of the validating webhook. */
    public static ObjectNode validated(String uid, Decision decision) {
        ObjectNode review = envelope(uid, decision.allowed());
        ObjectNode response = (ObjectNode) review.get("response");
        if (!decision.allowed()) {
            ObjectNode status = response.putObject("status");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", decision.message());
        }
        warnings(response, decision.warnings());
        auditAnnotations(response, decision.auditAnnotations());
        return review;
    }

    /** The answer of the mutating webhook: allowed, with the plan as a JSON Patch when it has operations. */
    public static ObjectNode mutated(String uid, Plan plan) {
        ObjectNode review = envelope(uid, true);
        ObjectNode response = (ObjectNode) review.get("response");
        warnings(response, plan.warnings());
        if (!plan.changes().isEmpty()) {
            StringBuilder s = new StringBuilder();
            plan.changes().forEach((container, change) -> s.append(s.length() == 0 ? "" : "; ").append(container)
                    .append(": ").append(String.join(",", change.mounted()))
                    .append(change.readOnlyRootFilesystem() ? " +readOnlyRootFilesystem" : ""));
            auditAnnotations(response, Map.of("mutated", s.toString()));
        }
        if (!plan.isEmpty()) {
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(toBytes(plan.jsonPatch())));
        }
        return review;
    }

    private static ObjectNode envelope(String uid, boolean allowed) {
        ObjectNode review = NODES.objectNode();
        review.put("apiVersion", API_VERSION);
        review.put("kind", KIND);
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", allowed);
        return review;
    }

    private static void warnings(ObjectNode response, List<String> warnings) {
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
    }

    private static void auditAnnotations(ObjectNode response, Map<String, String> annotations) {
        if (!annotations.isEmpty()) {
            ObjectNode audit = response.putObject("auditAnnotations");
            annotations.forEach(audit::put);
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

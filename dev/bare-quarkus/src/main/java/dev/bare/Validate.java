package dev.bare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.io.IOException;

/** Parses the AdmissionReview and allows it: the least an admission endpoint does. */
@Path("/validate")
public class Validate {

    private static final ObjectMapper JSON = new ObjectMapper();

    @POST
    @Consumes("application/json")
    @Produces("application/json")
    public byte[] validate(byte[] body) throws IOException {
        JsonNode review = JSON.readTree(body);
        ObjectNode out = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        out.putObject("response").put("uid", review.path("request").path("uid").asText()).put("allowed", true);
        return JSON.writeValueAsBytes(out);
    }
}

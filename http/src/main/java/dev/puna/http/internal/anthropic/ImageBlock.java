package dev.puna.http.internal.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.runtime.vision.Image;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code image} content block, decoded: {@code source} {@code {"type":"base64","media_type":...,"data":...}}
 * with a media type Anthropic accepts ({@code image/png}, {@code image/jpeg}, {@code image/webp},
 * {@code image/gif}) and data that is base64. A {@code url} source is refused: this server fetches no remote images.
 * The image is decoded where it is read ({@link ImageInputs#decode}), so a corrupt one is a 400 naming its block
 * before any model loads; the model's vision projector takes the images in request order.
 *
 * @param path where the block is in the request ({@code messages[0].content[1]}), for errors about it
 * @param mediaType the declared media type
 * @param image the decoded image
 */
record ImageBlock(String path, String mediaType, Image image) {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg", "image/webp", "image/gif");

    static ImageBlock read(JsonBody block, String at) {
        ObjectNode source = block.object("source");
        if (source == null) {
            throw ApiException.badParameter(at + ".source", at + ".source: Field required");
        }
        JsonBody s = JsonBody.of(source, at + ".source");
        String type = s.string("type");
        if ("url".equals(type)) {
            throw ApiException.badParameter(at + ".source", at + ".source: remote images are not fetched by this "
                    + "server; send the image as {\"type\": \"base64\", \"media_type\": ..., \"data\": ...}");
        }
        if (!"base64".equals(type)) {
            throw ApiException.badParameter(at + ".source.type", at + ".source.type: expected \"base64\", got "
                    + (type == null ? "nothing" : "\"" + type + "\""));
        }
        String mediaType = s.string("media_type");
        if (mediaType == null || !MEDIA_TYPES.contains(mediaType)) {
            throw ApiException.badParameter(at + ".source.media_type", at + ".source.media_type: expected "
                    + "\"image/jpeg\", \"image/png\", \"image/gif\" or \"image/webp\", got "
                    + (mediaType == null ? "nothing" : "\"" + mediaType + "\""));
        }
        String data = s.string("data");
        if (data == null || data.isEmpty()) {
            throw ApiException.badParameter(at + ".source.data", at + ".source.data: Field required");
        }
        byte[] bytes;
        try {
            // Line breaks are tolerated, as base64 tools write them; any other stray character is an error.
            bytes = Base64.getDecoder().decode(WHITESPACE.matcher(data).replaceAll(""));
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length == 0) {
            throw ApiException.badParameter(at + ".source.data", at + ".source.data: not valid base64");
        }
        return new ImageBlock(at, mediaType, ImageInputs.decode(bytes, at));
    }
}

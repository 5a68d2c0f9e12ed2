// Suggest existing tags while an editor types into a tag field.
// The field is plain text (tags separated by commas); its <datalist> is refilled with
// "what was typed before the last comma" + each suggestion, so picking one completes
// the tag being typed. Suggestions come from the admin's tag suggestion endpoint.
"use strict";
(function () {
    function setUp(input) {
        const list = document.getElementById(input.getAttribute("list"));
        const url = input.dataset.tagSuggest;
        const multiple = input.dataset.tagMultiple === "true";
        let timer = null;
        let latest = 0;

        function split(value) {
            if (!multiple) {
                return {before: "", typing: value.trim(), chosen: []};
            }
            const cut = value.lastIndexOf(",");
            const before = cut === -1 ? "" : value.slice(0, cut + 1) + " ";
            const chosen = before.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
            return {before: before.replace(/\s+$/, " "), typing: value.slice(cut + 1).trim(), chosen: chosen};
        }

        async function refresh() {
            const parts = split(input.value);
            if (!parts.typing) {
                list.replaceChildren();
                return;
            }
            const request = ++latest;
            let data;
            try {
                const response = await fetch(url + "?q=" + encodeURIComponent(parts.typing), {
                    headers: {"Accept": "application/json"},
                    credentials: "same-origin",
                });
                if (!response.ok) {
                    return;
                }
                data = await response.json();
            } catch (error) {
                return;  // suggestions are a convenience: typing still works without them
            }
            if (request !== latest) {
                return;  // an answer to an older keystroke
            }
            const options = data.results
                .filter((tag) => !parts.chosen.includes(tag.name.toLowerCase()))
                .map((tag) => {
                    const option = document.createElement("option");
                    option.value = parts.before + tag.name;
                    option.label = tag.name + " (" + tag.articles + ")";
                    return option;
                });
            list.replaceChildren(...options);
        }

        input.addEventListener("input", function () {
            clearTimeout(timer);
            timer = setTimeout(refresh, 150);
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("input[data-tag-suggest]").forEach(setUp);
    });
})();

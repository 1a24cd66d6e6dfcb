/*! cf-uploads.js - cf.js's file uploads: <input type="file" cf-upload="name">, drop zones,
 * progress, cancel, resume. Load it after cf.js, with {{ cf_scripts("uploads") }} (a page whose
 * components declare uploads loads it unasked).
 *
 * Each render of a component with uploads carries an "upload" effect per upload: its token,
 * limits and the events that take it. A file picked in (or dropped on) a cf-upload="name"
 * element is checked here first (type, size, count: refused before any byte is sent), then
 * sent in chunks to {endpoint}/upload, a few files at a time; the ids of the finished uploads
 * go with the next event whose handler takes them. In the template:
 *   cf-upload-progress="name"   a <progress> (or any element: --cf-upload-progress, 0 to 1)
 *   cf-upload-error="name"      shows the last refusal
 *   cf-upload-preview="name"    an <img> showing the picked image
 *   cf-upload-cancel="name"     a button that cancels the upload's files
 *   cf-upload-done="event"      (beside cf-upload) sends the event once the files are sent
 * DOM events on the cf-upload element (bubbling): cf:upload-start, cf:upload-progress,
 * cf:upload-done, cf:upload-error, cf:upload-cancel; detail {name, file, size, loaded,
 * progress, upload_id, error, code}. cf.uploads.entries(root, name), cf.uploads.cancel(root,
 * name), cf.uploads.add(root, name, files) (send files as a pick does),
 * cf.uploads.concurrency (files sent at once per page, 3).
 */
(() => {
  "use strict";
  if (!window.cf || !window.cf.extend) {
    console.error("cf-uploads.js: cf.js must be loaded before it, from the same release " +
      "({{ cf_scripts(\"uploads\") }} writes both tags in order).");
    return;
  }

  window.cf.extend("uploads", ({ all, data, rootOf }) => {
    const api = { concurrency: 3, entries, cancel, add };
    const waiting = []; // entries queued for a free slot
    let running = 0;
    const RESUME_FOR_MS = 55 * 60 * 1000; // within a token's life (an hour by default)

    // ---------- What the page knows of a root's uploads ----------

    // name -> {effect, entries}; the effect of the latest render (token, limits, events).
    function uploadsOf(root) {
      const d = data(root);
      if (!d.uploads) d.uploads = new Map();
      return d.uploads;
    }

    function slot(root, name) {
      const uploads = uploadsOf(root);
      if (!uploads.has(name)) uploads.set(name, { effect: null, entries: [] });
      return uploads.get(name);
    }

    const view = (entry) => ({
      name: entry.name, file: entry.file.name, size: entry.file.size, loaded: entry.loaded,
      progress: entry.file.size ? entry.loaded / entry.file.size : 1,
      status: entry.status, upload_id: entry.uploadId, error: entry.error, code: entry.code,
    });

    function entries(root, name) {
      return slot(root, name).entries.map(view);
    }

    // ---------- Checks the browser can make before sending a byte ----------

    function accepted(effect, file) {
      if (!effect.accept.length || !file.type) return true; // the server reads the bytes
      return effect.accept.some((type) =>
        type === file.type || (type.endsWith("/*") && file.type.startsWith(type.slice(0, -1))) ||
        (type.startsWith("text/") && file.type.startsWith("text/")));
    }

    function refusal(effect, file, count) {
      if (count > effect.max_files) {
        return [`${effect.name} takes at most ${effect.max_files} file(s).`, "upload_too_many"];
      }
      if (file.size > effect.max_size) {
        return [`${file.name} is ${file.size.toLocaleString()} bytes; ${effect.name} takes at ` +
          `most ${effect.max_size.toLocaleString()}.`, "upload_too_large"];
      }
      if (file.size === 0) return [`${file.name} is empty.`, "upload_bad_request"];
      if (!accepted(effect, file)) {
        return [`${file.name} is ${file.type}; ${effect.name} takes ` +
          `${effect.accept.join(", ")}.`, "upload_type_refused"];
      }
      return null;
    }

    // ---------- Adding files ----------

    function add(root, name, files, source) {
      const upload = slot(root, name);
      const effect = upload.effect;
      if (!effect) {
        console.error(`cf-uploads.js: the component has no upload ${JSON.stringify(name)}; ` +
          "declare it in the component's uploads.");
        return;
      }
      const kept = upload.entries.filter((e) => e.status !== "error" && e.status !== "cancelled");
      // A new pick for a one-file upload replaces the file.
      if (effect.max_files === 1) kept.forEach((e) => stop(e, "cancelled"));
      // A failed file the server still counts goes, unless picked again (it then resumes).
      const key = (f) => `${f.name}:${f.size}:${f.lastModified}`;
      const picked = Array.from(files, key);
      upload.entries.forEach((e) => e.status === "error" && !picked.includes(key(e.file)) &&
        stop(e, "cancelled"));
      // The server counts a file until its removal is done: the new ones begin after.
      const after = upload.removing;
      upload.entries = effect.max_files === 1 ? [] : kept;
      const count = upload.entries.length + files.length;
      Array.from(files).forEach((file) => {
        const entry = { root, name, file, source, loaded: 0, status: "queued", uploadId: null,
          error: null, code: null, controller: new AbortController(), sent: false, after };
        upload.entries.push(entry);
        const refused = refusal(effect, file, count);
        if (refused) fail(entry, refused[0], refused[1]);
        else { waiting.push(entry); notify(entry, "start"); }
      });
      show(root);
      pump();
    }

    function pump() {
      while (running < api.concurrency && waiting.length) {
        const entry = waiting.shift();
        if (entry.status !== "queued") continue;
        running += 1;
        entry.status = "uploading";
        send(entry).catch((e) => {
          if (entry.status !== "uploading") return;
          // fetch's own failure (a TypeError) says only "Failed to fetch": say what happened.
          if (e instanceof TypeError) {
            fail(entry, `The connection was lost while uploading ${entry.file.name}; pick the ` +
              "file again to resume.", "network");
          } else fail(entry, e.message || String(e), e.code || "network");
        }).finally(() => { running -= 1; pump(); });
      }
    }

    // ---------- Sending one file ----------

    const endpoint = (root) => (root.getAttribute("data-cf-endpoint") || window.cf.config.base) +
      "/upload";

    async function call(entry, method, path, body, { json = true } = {}) {
      const effect = slot(entry.root, entry.name).effect;
      const headers = { ...window.cf.config.headers, "X-CF-Request": "1",
        "X-CF-Upload-Token": effect.token };
      if (json && body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(endpoint(entry.root) + path, {
        method, headers, credentials: "same-origin", signal: entry.controller.signal,
        body: json && body !== undefined ? JSON.stringify(body) : body,
      });
      const reply = await response.json().catch(() => ({ type: "error", code: "bad_reply",
        error: `The server sent an unreadable reply (HTTP ${response.status}).` }));
      if (!response.ok || reply.type === "error") {
        const error = new Error(reply.error || `HTTP ${response.status}`);
        error.code = reply.code;
        error.offset = reply.offset;
        throw error;
      }
      return reply;
    }

    const resumeKey = (entry) => {
      const f = entry.file;
      const component = entry.root.getAttribute("data-cf-component");
      return `cf-upload:${component}:${entry.name}:${f.name}:${f.size}:${f.lastModified}`;
    };

    // An upload this browser began for the same file (before a reload): take it over.
    async function resumed(entry) {
      let saved = null;
      try { saved = JSON.parse(localStorage.getItem(resumeKey(entry)) || "null"); } catch (e) {}
      if (!saved || Date.now() - saved.at > RESUME_FOR_MS) return null;
      try {
        return await call(entry, "POST", "/" + saved.id, { adopt: saved.token });
      } catch (e) {
        if (e.name === "AbortError") throw e;
        localStorage.removeItem(resumeKey(entry));
        return null;
      }
    }

    // Begin the upload (or take over one begun before a reload). Not aborted once sent: the
    // server may count the file before its id reaches the page, and stop() must remove it.
    async function begin(entry) {
      const file = entry.file;
      const unaborted = { ...entry, controller: new AbortController() };
      const state = await resumed(unaborted) ||
        await call(unaborted, "POST", "", { filename: file.name, size: file.size });
      const token = slot(entry.root, entry.name).effect.token;
      try {
        localStorage.setItem(resumeKey(entry),
          JSON.stringify({ id: state.upload_id, token, at: Date.now() }));
      } catch (e) { /* storage full or refused: no resume after a reload */ }
      return state;
    }

    async function send(entry) {
      const file = entry.file;
      await entry.after;
      if (entry.controller.signal.aborted) return; // stopped while it waited
      const state = await (entry.begun = begin(entry));
      if (entry.controller.signal.aborted) return;
      entry.uploadId = state.upload_id;
      if (state.direct) return sendDirect(entry, state);
      let offset = state.offset; // null: ask the server where the upload stands
      let failures = 0;
      // chunk_size is the most a chunk may hold: start at 1 MiB, double while a chunk takes
      // under 5 s, halve when one takes over 15 s or fails (each must arrive in the body
      // timeout, and a failed one is sent again whole).
      let chunk = Math.min(state.chunk_size, 1 << 20);
      while (offset === null || offset < file.size) {
        const started = Date.now();
        try {
          if (offset === null) {
            offset = (await call(entry, "GET", "/" + entry.uploadId)).offset;
            continue;
          }
          progress(entry, offset);
          const reply = await call(entry, "PUT", `/${entry.uploadId}?offset=${offset}`,
            file.slice(offset, offset + chunk), { json: false });
          offset = reply.offset;
          failures = 0;
          const took = Date.now() - started;
          if (took < 5000) chunk = Math.min(chunk * 2, state.chunk_size);
          else if (took > 15000) chunk = Math.max(chunk >> 1, 1 << 16);
        } catch (e) {
          if (e.name === "AbortError") throw e;
          chunk = Math.max(chunk >> 1, 1 << 16);
          // A dropped connection (its GET too) or an out-of-step offset: wait, then ask where
          // the upload stands.
          if (e.code && e.code !== "upload_offset_mismatch" && e.code !== "upload_busy") throw e;
          failures += 1;
          if (failures > 5) throw e;
          await new Promise((done) => setTimeout(done, 200 * 2 ** failures));
          offset = null;
        }
      }
      finish(entry);
    }

    async function sendDirect(entry, state) {
      // Straight to object storage: PUT each part to its presigned URL (but those storage
      // holds already: a reloaded page goes on), then confirm.
      const parts = [];
      const sent = new Map((state.sent || []).map((p) => [p.number, p.etag]));
      let offset = 0;
      for (const part of state.parts) {
        progress(entry, offset);
        let etag = sent.get(part.number);
        if (!etag) {
          const response = await fetch(part.url, { method: "PUT",
            signal: entry.controller.signal, body: entry.file.slice(offset, offset + part.size) });
          if (!response.ok) throw new Error(`The storage refused part ${part.number || 1}.`);
          etag = response.headers.get("ETag");
        }
        parts.push({ number: part.number, etag });
        offset += part.size;
      }
      await call(entry, "POST", "/" + entry.uploadId, { parts: parts.filter((p) => p.number) });
      finish(entry);
    }

    function finish(entry) {
      localStorage.removeItem(resumeKey(entry));
      entry.status = "done";
      progress(entry, entry.file.size);
      notify(entry, "done");
      show(entry.root);
      // cf-upload-done="event": once every file of the upload is sent, the event goes, with
      // their ids (its handler takes the upload).
      const upload = slot(entry.root, entry.name);
      if (upload.entries.some((e) => e.status === "queued" || e.status === "uploading")) return;
      const asker = bound(entry.root, "cf-upload", entry.name)
        .find((el) => el.hasAttribute("cf-upload-done"));
      if (asker) window.cf.send(entry.root, asker.getAttribute("cf-upload-done"), {});
    }

    function progress(entry, loaded) {
      entry.loaded = loaded;
      notify(entry, "progress");
      show(entry.root);
    }

    function fail(entry, message, code) {
      entry.status = "error";
      entry.error = message;
      entry.code = code;
      notify(entry, "error");
      show(entry.root);
    }

    // Stop sending *entry* and remove its upload from the server (once its begin, if on its
    // way, has the id). The upload's next files begin once it is gone (upload.removing).
    function stop(entry, status) {
      const was = entry.status;
      entry.status = status;
      entry.controller.abort();
      if (was === "cancelled" || !entry.begun) return;
      const upload = slot(entry.root, entry.name);
      const gone = entry.begun.then((state) => {
        localStorage.removeItem(resumeKey(entry));
        return call({ ...entry, controller: new AbortController() }, "DELETE",
          "/" + state.upload_id);
      }).catch(() => {});
      upload.removing = Promise.all([upload.removing, gone]);
    }

    function cancel(target, name) {
      const root = target && target.closest ? rootOf(target) || target : target;
      slot(root, name).entries.forEach((entry) => {
        if (entry.status === "cancelled") return;
        stop(entry, "cancelled");
        notify(entry, "cancel");
      });
      slot(root, name).entries = [];
      show(root);
    }

    // ---------- What the page shows ----------

    function notify(entry, step) {
      const el = entry.source && entry.source.isConnected ? entry.source : entry.root;
      el.dispatchEvent(new CustomEvent("cf:upload-" + step, { bubbles: true, detail: view(entry) }));
    }

    const bound = (root, attribute, name) => Array.from(root.querySelectorAll(
      `[${attribute}="${CSS.escape(name)}"]`)).filter((el) => rootOf(el) === root);

    // Show every upload of *root* in its elements (after each change, and after each morph,
    // which puts back the server's HTML).
    function show(root) {
      uploadsOf(root).forEach((upload, name) => {
        const list = upload.entries.filter((e) => e.status !== "cancelled");
        const size = list.reduce((sum, e) => sum + e.file.size, 0);
        const loaded = list.reduce((sum, e) => sum + e.loaded, 0);
        const fraction = size ? loaded / size : 0;
        const failed = list.find((e) => e.status === "error");
        const busy = list.some((e) => e.status === "uploading" || e.status === "queued");
        const state = failed ? "error" : busy ? "uploading" : list.length ? "done" : "";
        bound(root, "cf-upload", name).forEach((el) => {
          if (state) el.setAttribute("data-cf-upload-state", state);
          else el.removeAttribute("data-cf-upload-state");
        });
        bound(root, "cf-upload-progress", name).forEach((el) => {
          if (el instanceof HTMLProgressElement || el instanceof HTMLMeterElement) {
            el.max = 100;
            el.value = Math.round(fraction * 100);
          }
          el.style.setProperty("--cf-upload-progress", String(fraction));
        });
        bound(root, "cf-upload-error", name).forEach((el) => {
          el.textContent = failed ? failed.error : "";
        });
        // Once its event is sent, the server's render shows the file (or not): not the preview.
        // A refused file is not shown; the src the preview had before comes back.
        const image = list.find((e) => e.file.type.startsWith("image/") && !e.sent &&
          e.status !== "error");
        bound(root, "cf-upload-preview", name).forEach((el) => {
          const shown = data(el).preview;
          if (!image) {
            if (!shown || el.getAttribute("src") !== shown.src) return;
            if (shown.was === null) el.removeAttribute("src");
            else el.setAttribute("src", shown.was);
            data(el).preview = null;
            return;
          }
          if (!image.preview) image.preview = URL.createObjectURL(image.file);
          if (el.getAttribute("src") === image.preview) return;
          const was = shown && el.getAttribute("src") === shown.src ? shown.was
            : el.getAttribute("src");
          data(el).preview = { src: image.preview, was };
          el.setAttribute("src", image.preview);
        });
      });
    }

    // ---------- Binding elements ----------

    function bind(root) {
      root.querySelectorAll("[cf-upload]").forEach((el) => {
        if (rootOf(el) !== root || data(el).upload) return;
        data(el).upload = true;
        const name = () => el.getAttribute("cf-upload");
        if (el instanceof HTMLInputElement && el.type === "file") {
          el.addEventListener("change", () => {
            if (!el.files || !el.files.length) return;
            add(root, name(), Array.from(el.files), el);
            // Taken: cleared, so that picking the same file again (after a cancel or a
            // refusal) is a change the browser reports.
            el.value = "";
          });
          return;
        }
        const over = (e) => {
          e.preventDefault();
          el.setAttribute("data-cf-dragover", "");
        };
        el.addEventListener("dragenter", over);
        el.addEventListener("dragover", over);
        el.addEventListener("dragleave", () => el.removeAttribute("data-cf-dragover"));
        el.addEventListener("drop", (e) => {
          e.preventDefault();
          el.removeAttribute("data-cf-dragover");
          add(root, name(), (e.dataTransfer && e.dataTransfer.files) || [], el);
        });
      });
      // The limits the browser can apply in the file picker itself.
      uploadsOf(root).forEach(({ effect }, name) => {
        if (!effect) return;
        bound(root, "cf-upload", name).forEach((el) => {
          if (!(el instanceof HTMLInputElement)) return;
          if (effect.accept.length && !el.hasAttribute("accept")) {
            el.setAttribute("accept", effect.accept.join(","));
          }
          if (effect.max_files > 1) el.multiple = true;
        });
      });
    }

    // ---------- The ids go with the events that take them ----------

    // The root is the event's own target (inside a shadow root too): finding it by id searched
    // the whole page once per request, which made a page of many components slow to update.
    function onRequest(e) {
      const msg = e.detail && e.detail.message;
      if (!msg || !msg.event || !msg.component_id) return;
      const root = e.composedPath()[0];
      if (!root || !data(root).uploads) return;
      uploadsOf(root).forEach((upload, name) => {
        if (!upload.effect || !upload.effect.events.includes(msg.event)) return;
        const payload = msg.payload || (msg.payload = {});
        if (name in payload) return;
        const done = upload.entries.filter((entry) => entry.status === "done");
        if (!done.length) return;
        done.forEach((entry) => { entry.sent = true; });
        payload[name] = done.map((entry) => entry.uploadId);
      });
    }

    // A reply to an event that took them: they are consumed. A refusal: they can go again.
    function settle(e, consumed) {
      const root = e.target && e.target.closest ? rootOf(e.target) || e.target : null;
      if (!root || !data(root).uploads) return;
      uploadsOf(root).forEach((upload) => {
        upload.entries.forEach((entry) => { if (!consumed) entry.sent = false; });
        if (consumed) upload.entries = upload.entries.filter((entry) => !entry.sent);
      });
      show(root);
    }

    return {
      effects: {
        upload(root, effect) {
          slot(root, effect.name).effect = effect;
          bind(root);
        },
      },
      api: { uploads: api },
      selector: "[cf-upload],[cf-upload-progress],[cf-upload-preview]",
      rendered(root) {
        bind(root);
        show(root);
      },
      start() {
        // Roots started before this script ran (cf.js starts them as soon as it runs): one
        // query for the page's cf-upload elements, not one per root.
        new Set(all("[cf-upload]").map(rootOf)).forEach((root) => {
          if (root && root.hasAttribute("data-cf-ready")) bind(root);
        });
        document.addEventListener("cf:before-request", onRequest);
        document.addEventListener("cf:update", (e) => settle(e, true));
        document.addEventListener("cf:error", (e) => settle(e, false));
        document.addEventListener("click", (e) => {
          const button = e.target.closest && e.target.closest("[cf-upload-cancel]");
          if (!button) return;
          e.preventDefault();
          cancel(button, button.getAttribute("cf-upload-cancel"));
        });
      },
    };
  });
})();

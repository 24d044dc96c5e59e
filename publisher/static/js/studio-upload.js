// Episode upload with Uppy (vendored, no build step): XHR to the app for the local store,
// multipart straight to the bucket for S3 (parts retried, resumable after a reload, cancel
// aborts the multipart upload). The progress bar is an ARIA progressbar.
(function () {
  "use strict";
  var root = document.querySelector("[data-uploader]");
  if (!root || !window.Uppy) { return; }
  var base = root.getAttribute("data-base");
  var csrf = root.getAttribute("data-csrf");
  var store = root.getAttribute("data-store");
  var showSlug = root.getAttribute("data-show");
  var input = root.querySelector("input[type=file]");
  var startButton = root.querySelector("[data-start]");
  var cancelButton = root.querySelector("[data-cancel]");
  var bar = root.querySelector("[role=progressbar]");
  var fill = bar.querySelector("span");
  var statusLine = root.querySelector("[data-status]");
  var done = root.querySelector("[data-done]");
  var MiB = 1024 * 1024;
  var created = {};

  function say(text) { statusLine.textContent = text; }
  function progress(percent) {
    var value = Math.max(0, Math.min(100, Math.floor(percent)));
    bar.setAttribute("aria-valuenow", String(value));
    bar.setAttribute("aria-valuetext", value + " percent");
    fill.style.width = value + "%";
  }
  function post(path, body) {
    return fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = (data.error && data.error.message) || ("The server answered " + response.status + ".");
          throw new Error(message);
        }
        return data;
      });
    });
  }
  // Remember an S3 upload in this browser so that a reload can resume it.
  function memoryKey(file) {
    var data = file.data || file;
    return "publisher-upload:" + showSlug + ":" + file.name + ":" + file.size + ":" + (data.lastModified || 0);
  }
  function remember(file, value) {
    try { localStorage.setItem(memoryKey(file), JSON.stringify(Object.assign({show: showSlug, name: file.name, at: Date.now()}, value))); } catch (e) { /* private mode */ }
  }
  function recall(file) {
    try { return JSON.parse(localStorage.getItem(memoryKey(file)) || "null"); } catch (e) { return null; }
  }
  function forget(file) { try { localStorage.removeItem(memoryKey(file)); } catch (e) { /* ignore */ } }
  function partSize(size) {  // the server's rule: whole MiB, at least 8 MiB, at most 10,000 parts
    return Math.max(8 * MiB, Math.ceil(Math.ceil(size / 10000) / MiB) * MiB);
  }

  var uppy = new Uppy.Uppy({
    autoProceed: false,
    restrictions: {maxNumberOfFiles: 1, maxFileSize: Number(root.getAttribute("data-max-bytes")) || null}
  });
  if (store === "s3") {
    uppy.use(Uppy.AwsS3, {
      shouldUseMultipart: true,
      limit: 4,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      getChunkSize: function (file) { return partSize(file.size); },
      createMultipartUpload: function (file) {
        return post("/uploads/s3/create", {filename: file.name, size: file.size, type: file.type})
          .then(function (answer) {
            remember(file, {uploadId: answer.uploadId, key: answer.key});
            return {uploadId: answer.uploadId, key: answer.key};
          });
      },
      signPart: function (file, options) {
        return post("/uploads/s3/sign", {key: options.key, uploadId: options.uploadId, partNumber: options.partNumber});
      },
      listParts: function (file, options) {
        return post("/uploads/s3/parts", {key: options.key, uploadId: options.uploadId});
      },
      abortMultipartUpload: function (file, options) {
        forget(file);
        return post("/uploads/s3/abort", {key: options.key, uploadId: options.uploadId});
      },
      completeMultipartUpload: function (file, options) {
        return post("/uploads/s3/complete", {key: options.key, uploadId: options.uploadId, parts: options.parts})
          .then(function (answer) { forget(file); created[file.id] = answer; return {location: answer.edit_url}; });
      }
    });
  } else {
    uppy.use(Uppy.XHRUpload, {
      endpoint: base + "/episodes/upload", fieldName: "file", formData: true,
      headers: {"X-CSRFToken": csrf}, limit: 1, timeout: 0, allowedMetaFields: []
    });
  }

  input.addEventListener("change", function () {
    uppy.cancelAll();
    var chosen = input.files && input.files[0];
    if (!chosen) { return; }
    try {
      var id = uppy.addFile({name: chosen.name, type: chosen.type, data: chosen, source: "Local"});
      var earlier = store === "s3" ? recall(uppy.getFile(id)) : null;
      if (earlier && earlier.uploadId) {
        uppy.setFileState(id, {s3Multipart: {uploadId: earlier.uploadId, key: earlier.key}});
        say("This file was partly uploaded before: press Upload to resume where it stopped.");
      } else {
        say(chosen.name + " is ready. Press Upload.");
      }
      startButton.disabled = false;
    } catch (error) {
      say(error.message);
    }
  });
  startButton.addEventListener("click", function () {
    startButton.disabled = true;
    cancelButton.hidden = false;
    input.disabled = true;
    progress(0);
    bar.hidden = false;
    say("Uploading…");
    uppy.upload();
  });
  cancelButton.addEventListener("click", function () {
    uppy.cancelAll();
    cancelButton.hidden = true;
    input.disabled = false;
    input.value = "";
    progress(0);
    say("Upload cancelled: nothing was kept.");
  });
  uppy.on("upload-progress", function (file, info) {
    if (info.bytesTotal) { progress(100 * info.bytesUploaded / info.bytesTotal); }
  });
  uppy.on("upload-success", function (file, response) {
    var answer = created[file.id] || (response && response.body) || {};
    progress(100);
    cancelButton.hidden = true;
    say("Upload complete: " + (answer.title || file.name) + ".");
    var link = done.querySelector("a");
    link.href = answer.edit_url;
    done.hidden = false;
    link.focus();
  });
  uppy.on("upload-error", function (file, error, response) {
    var message = (response && response.body && response.body.error && response.body.error.message) || error.message;
    cancelButton.hidden = true;
    input.disabled = false;
    startButton.disabled = false;
    say("The upload failed: " + message);
  });
})();

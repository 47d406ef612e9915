// Earshot pages: the little a browser adds on top of pages that work without script.
// - remembers the viewer's time zone in a cookie (the server needs it for date filters),
// - shows every <time> in the viewer's zone and language,
// - fetches entries newer than the first one shown, every 10 seconds, and puts them on top,
// - copies the link of a filtered view.
// No inline script anywhere: the Content-Security-Policy allows only files from this site.
(function () {
  "use strict";

  var POLL_MS = 10000;
  var body = document.body;

  function rememberZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone || zone === body.getAttribute("data-tz")) {
      return;
    }
    var cookie = "tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Strict; max-age=31536000";
    if (location.protocol === "https:") {
      cookie += "; Secure";
    }
    document.cookie = cookie;
    // A page whose numbers depend on the zone (dates, charts) is made again in the right one.
    var dated = /[?&](from|to)=[^&]/.test(location.search);
    if (body.getAttribute("data-tz-sensitive") === "1" || dated) {
      // Once per tab: a browser that refuses the cookie must not reload for ever.
      try {
        if (!sessionStorage.getItem("earshot-tz-reloaded")) {
          sessionStorage.setItem("earshot-tz-reloaded", "1");
          location.reload();
        }
      } catch (error) { /* no storage: keep the page as the server made it */ }
    }
  }

  var formatter = null;
  try {
    formatter = new Intl.DateTimeFormat(undefined, {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit",
    });
  } catch (error) {
    formatter = null;
  }

  function localTimes(root) {
    if (!formatter) {
      return;
    }
    var times = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        times[i].textContent = formatter.format(when);
        times[i].title = times[i].getAttribute("datetime");
      }
    }
    var zoneName = document.getElementById("zone-name");
    if (zoneName) {
      try {
        zoneName.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch (error) { /* keep the server's */ }
    }
  }

  function liveUpdate() {
    var list = document.getElementById("entries");
    var status = document.getElementById("live-status");
    if (!list || !list.hasAttribute("data-newer") || !window.fetch) {
      return;
    }
    var base = list.getAttribute("data-newer");
    var timer = null;

    function newest() {
      var first = list.querySelector("article[data-cursor]");
      return first ? first.getAttribute("data-cursor") : "";
    }

    function stop(message) {
      stopped = true;
      if (timer) {
        clearInterval(timer);
        timer = null;
      }
      if (status) {
        status.textContent = message;
      }
    }

    function poll() {
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "than=" + encodeURIComponent(newest());
      fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
            stop("You were signed out. Reload the page to sign in again and see new entries.");
            return null;
          }
          if (!response.ok) {
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (!html || !html.trim()) {
            return;
          }
          var holder = document.createElement("template");
          holder.innerHTML = html;
          var added = holder.content.querySelectorAll("article.entry");
          var fresh = 0;
          for (var i = added.length - 1; i >= 0; i--) {
            if (document.getElementById(added[i].id)) {
              continue;
            }
            added[i].classList.add("fresh");
            list.insertBefore(added[i], list.firstChild);
            fresh++;
          }
          if (fresh) {
            localTimes(list);
            var empty = document.getElementById("no-entries");
            if (empty) {
              empty.remove();
            }
            if (status) {
              status.textContent = fresh === 1 ? "1 new entry." : fresh + " new entries.";
            }
          }
        })
        .catch(function () {
          if (status) {
            status.textContent = "Could not check for new entries; trying again shortly.";
          }
        });
    }

    // Only while the tab is visible: a hidden tab asks nothing (no load on the collector),
    // and on coming back it asks at once, then every POLL_MS again.
    var stopped = false;
    function start() {
      if (!timer && !stopped) {
        timer = setInterval(poll, POLL_MS);
      }
    }
    function pause() {
      if (timer) {
        clearInterval(timer);
        timer = null;
      }
    }
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        pause();
      } else if (!timer && !stopped) {
        poll();
        start();
      }
    });
    if (!document.hidden) {
      start();
    }
    if (status) {
      status.textContent = "New entries appear here by themselves.";
    }
  }

  function copyLink() {
    var button = document.getElementById("copy-link");
    var status = document.getElementById("copy-status");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var link = new URL(button.getAttribute("data-link"), location.href).href;
      function show() {
        // No clipboard (plain http on another host): show the address to copy by hand.
        if (status) {
          status.textContent = "Copy this address: " + link;
        }
      }
      if (!navigator.clipboard) {
        show();
        return;
      }
      navigator.clipboard.writeText(link).then(
        function () { if (status) { status.textContent = "Link copied."; } },
        show
      );
    });
  }

  function start() {
    rememberZone();
    localTimes(document);
    liveUpdate();
    copyLink();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

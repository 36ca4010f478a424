/* Pailin Atlas time layer for Leaflet: a dataset's features over a whole period, restyled in the browser.
 *
 * AtlasTime.attach(map, store, options) draws what the store (layers/render/time_store.py) describes and adds a
 * date slider, previous/next change, play, a date stamp and a legend. Moving the date restyles only the
 * features whose state changes between the old and the new day: nothing goes back to a server.
 *
 * Every string in the store is already escaped HTML (layers/render/time_store.py); this file only assembles it.
 * Days are whole days since 1970-01-01 (UTC).
 *
 * Events: the map's container fires "atlas:day" ({day, iso, source}) after each repaint, and so does the
 * <iframe> holding the map when it has one (the Streamlit app listens there). The container carries
 * data-day="YYYY-MM-DD" once the new day has been painted.
 */
(function (global) {
  "use strict";

  var DAY_MS = 86400000;

  function isoOf(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  function dayOf(iso) {
    var t = Date.parse(iso + "T00:00:00Z");
    return isNaN(t) ? null : Math.round(t / DAY_MS);
  }

  // First index in a sorted array whose value is > x.
  function upper(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] <= x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }

  // Piecewise-linear rule from layers/render/symbology.py: [[x, y], ...], clamped at both ends.
  function interpolate(stops, x) {
    if (x <= stops[0][0]) { return stops[0][1]; }
    for (var i = 1; i < stops.length; i++) {
      if (x <= stops[i][0]) {
        var a = stops[i - 1], b = stops[i];
        return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
      }
    }
    return stops[stops.length - 1][1];
  }

  // A canvas that repaints each changed feature's own rectangle, not the one rectangle around all of them,
  // and finds what lies in a rectangle through a grid of the features' pixel bounds: a day that changes a
  // few features scattered over 100,000 repaints a few small areas and looks at a few hundred features.
  var CELL = 64;
  var PatchCanvas = L.Canvas.extend({
    _extendRedrawBounds: function (layer) {
      if (!layer._pxBounds) { return; }
      var pad = (layer.options.weight || 0) + 1;
      (this._patches = this._patches || []).push(
        L.bounds(layer._pxBounds.min.subtract([pad, pad]), layer._pxBounds.max.add([pad, pad])));
    },
    _file: function (layer) {
      var b = layer._pxBounds;
      if (!b) { return; }
      for (var x = Math.floor(b.min.x / CELL); x <= Math.floor(b.max.x / CELL); x++) {
        for (var y = Math.floor(b.min.y / CELL); y <= Math.floor(b.max.y / CELL); y++) {
          (this._grid[x + "," + y] = this._grid[x + "," + y] || []).push(layer);
        }
      }
    },
    _index: function () {
      // Pixel bounds change when the zoom or the pixel origin does: the grid is made again then.
      var key = this._map.getZoom() + ":" + this._map.getPixelOrigin().toString();
      if (this._grid && this._gridKey === key) { return; }
      this._grid = {};
      this._gridKey = key;
      this._seq = 0;
      for (var order = this._drawFirst; order; order = order.next) {
        order.layer._atlasSeq = this._seq++;
        this._file(order.layer);
      }
    },
    _addPath: function (layer) {
      L.Canvas.prototype._addPath.call(this, layer);
      if (this._grid) { layer._atlasSeq = this._seq++; this._file(layer); }
    },
    _redraw: function () {
      this._redrawRequest = null;
      var patches = this._patches;
      this._patches = null;
      this._redrawBounds = null;
      // Past a few hundred patches, one full repaint is cheaper than looking them all up.
      if (!patches || patches.length > 400) { this._clear(); this._draw(); return; }
      this._index();
      var ctx = this._ctx, layers = this._layers;
      for (var i = 0; i < patches.length; i++) {
        var b = patches[i], seen = {}, found = [];
        b.min._floor();
        b.max._ceil();
        for (var x = Math.floor(b.min.x / CELL); x <= Math.floor(b.max.x / CELL); x++) {
          for (var y = Math.floor(b.min.y / CELL); y <= Math.floor(b.max.y / CELL); y++) {
            (this._grid[x + "," + y] || []).forEach(function (layer) {
              var id = L.stamp(layer);
              if (!seen[id] && layers[id] && layer._pxBounds && layer._pxBounds.intersects(b)) {
                seen[id] = true;
                found.push(layer);
              }
            });
          }
        }
        found.sort(function (p, q) { return p._atlasSeq - q._atlasSeq; });
        var size = b.getSize();
        ctx.clearRect(b.min.x, b.min.y, size.x, size.y);
        ctx.save();
        ctx.beginPath();
        ctx.rect(b.min.x, b.min.y, size.x, size.y);
        ctx.clip();
        this._drawing = true;
        for (var k = 0; k < found.length; k++) { found[k]._updatePath(); }
        this._drawing = false;
        ctx.restore();
      }
    }
  });

  function AtlasTime(map, store, options) {
    this.map = map;
    this.store = store;
    this.options = options || {};
    this.text = store.text;
    this.day = null;
    this.playing = null;
    this.hidden = {};
    this.items = [];           // every drawable, in store order
    this.visible = {};         // item index -> true while on the map
    this.present = {};         // faction id -> number of visible items it holds
    this.container = map.getContainer();
    this._build();
  }

  AtlasTime.prototype._build = function () {
    var self = this, store = this.store, map = this.map;
    this.groups = {};
    this.toggleOf = {};
    this.renderers = {};
    store.layers.forEach(function (layer, z) {
      self.toggleOf[layer.kind] = layer.toggle;
      var pane = map.createPane("atlas-" + layer.kind);
      pane.style.zIndex = 410 + 10 * z;
      // Many features: one canvas per kind, so restyling the day's events redraws the events alone.
      if (store.canvas) { self.renderers[layer.kind] = new PatchCanvas({pane: "atlas-" + layer.kind, padding: 0.3}); }
      var group = self.groups[layer.kind] = L.featureGroup().addTo(map);
      // One tooltip and one popup handler per kind, not one per feature: cheap for 100,000 features.
      group.on("mouseover mousemove", function (e) { self._hover(e.layer, e.latlng); });
      group.on("mouseout", function () { map.closeTooltip(self.tip); });
      group.on("click", function (e) { self.open(e.layer._atlasItem, e.latlng); });
      layer.items.forEach(function (item) {
        self.items.push({kind: layer.kind, data: item, layer: null, label: null, run: -2, pane: "atlas-" + layer.kind});
      });
    });
    var labels = map.createPane("atlas-label");
    labels.style.zIndex = 480;
    labels.style.pointerEvents = "none";
    this.labelGroup = L.layerGroup().addTo(map);
    this.tip = L.tooltip({sticky: true, direction: "top", offset: [0, -6]});
    if (store.borders) {
      L.geoJSON(store.borders, {interactive: false, style: function (f) { return f.properties.style; }}).addTo(map);
    }
    if (store.provinces) {
      this.provinces = L.geoJSON(store.provinces, {
        style: function (f) { return f.properties.style; },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
      });
    }
    // Boundaries: every day on which some item's run starts or ends, with the item.
    var marks = [];
    this.items.forEach(function (item, i) {
      (item.data.r || []).forEach(function (run) {
        marks.push([run[0], i]);
        marks.push([run[1], i]);
      });
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    this.markDays = marks.map(function (m) { return m[0]; });
    this.markItems = marks.map(function (m) { return m[1]; });
    // Events, by first day, for the window look-up.
    this.events = [];
    this.items.forEach(function (item, i) { if (item.data.e) { self.events.push(i); } });
    this.events.sort(function (a, b) { return self.items[a].data.e[0] - self.items[b].data.e[0]; });
    this.eventFirst = this.events.map(function (i) { return self.items[i].data.e[0]; });
    this.maxSpan = 0;
    this.events.forEach(function (i) {
      var e = self.items[i].data.e;
      self.maxSpan = Math.max(self.maxSpan, e[1] - e[0]);
    });
    this.shownEvents = [];
    this._controls();
    this.setLayers(this.options.hidden || []);
  };

  // --- drawing one item ----------------------------------------------------------------------

  AtlasTime.prototype._runAt = function (item, day) {
    var runs = item.data.r;
    if (!runs) { return -1; }
    for (var k = 0; k < runs.length; k++) {
      if (runs[k][0] <= day && day < runs[k][1]) { return k; }
    }
    return -1;
  };

  AtlasTime.prototype._layer = function (item) {
    if (item.layer) { return item.layer; }
    var d = item.data, options = {pane: item.pane, renderer: this.renderers[item.kind]};
    var look = L.extend({}, this.store.looks[d.n !== undefined ? d.n : 0], options);
    var layer = d.ll ? L.circleMarker(d.ll, look)
      : L.GeoJSON.geometryToLayer({type: "Feature", geometry: d.g}, {style: look, pane: item.pane,
                                                                    renderer: options.renderer});
    if (!d.ll && layer.setStyle) { layer.setStyle(look); }
    layer._atlasItem = item;
    item.layer = layer;
    return layer;
  };

  AtlasTime.prototype._hover = function (layer, latlng) {
    var item = layer && layer._atlasItem;
    if (!item) { return; }
    this.tip.setContent(this._texts(item).tip);
    this.map.openTooltip(this.tip, latlng);
  };

  /** Open the popup of an item (an item, or its kind and id) at `latlng` (default: its own place). */
  AtlasTime.prototype.open = function (item, latlng, id) {
    if (typeof item === "string") {
      item = this.items.find(function (it) { return it.kind === item && it.data.id === id; });
    }
    if (!item) { return null; }
    var d = item.data, strings = this.store.strings, texts = this._texts(item);
    var at = latlng || (d.ll ? L.latLng(d.ll) : (item.layer && item.layer.getBounds ? item.layer.getBounds().getCenter() : null));
    if (!at) { return null; }
    this.popup = L.popup({maxWidth: 340}).setLatLng(at)
      .setContent("<b>" + strings[d.ti] + "</b><table class=\"atlas-popup\">" + texts.rows + strings[d.sr] + "</table>")
      .openOn(this.map);
    return this.popup;
  };

  function row(key, value) { return "<tr><th>" + key + "</th><td>" + value + "</td></tr>"; }

  // The day-dependent words of a zone's or a place's tooltip and popup (every part is escaped HTML).
  AtlasTime.prototype._texts = function (item) {
    var d = item.data, s = this.store.strings, text = this.text, day = this.day;
    var run = item.run >= 0 && d.r ? d.r[item.run] : null, title = s[d.ti];
    if (item.kind === "zone" && run) {
      var holder = this.factionName(run[3], day);
      return {tip: title + " — " + holder + " (" + s[run[4]] + ")", rows: row(text.held_by, holder)};
    }
    if (item.kind === "place") {
      if (!run) { return {tip: title + " — " + text.nobody, rows: row(text.held_by, text.nobody)}; }
      var name = run[3] ? this.factionName(run[3], day) : text.nobody;
      var since = run[4] >= 0 ? s[run[4]] : text.before_start;
      var held = name + (run[7] ? " (" + text.from_zone + ", " + s[run[5]] + ")" : "");
      var rows = row(text.held_by, held), tip = title + " — " + held;
      if (run[8]) {
        var before = run[9] ? this.factionName(run[9], day) : text.nobody;
        rows += row(text.changing, text.changing_text.replace("{from}", before).replace("{to}", name)
          .replace("{when}", since));
        tip += " · " + text.changing + " (" + since + ")";
      } else {
        rows += row(text.since, since);
        if (run[4] >= 0) { tip += ", " + text.since_word.replace("{date}", since); }
      }
      rows += row(text.control_certainty, s[run[5]]) + row(text.control_sources, s[run[6]]);
      return {tip: tip, rows: rows};
    }
    return {tip: d.tt !== undefined ? s[d.tt] : title, rows: ""};
  };

  AtlasTime.prototype._show = function (i, on) {
    var item = this.items[i];
    if (!!this.visible[i] === on) { return; }
    var group = this.groups[item.kind];
    if (on) { group.addLayer(this._layer(item)); this.visible[i] = true; }
    else { group.removeLayer(item.layer); delete this.visible[i]; }
  };

  AtlasTime.prototype._hold = function (holder, delta) {
    if (!holder) { return; }
    this.present[holder] = (this.present[holder] || 0) + delta;
  };

  AtlasTime.prototype._update = function (i, day) {
    var item = this.items[i], d = item.data;
    if (!d.r) { this._show(i, true); return; }  // timeless
    var k = this._runAt(item, day);
    if (k === item.run && item.run !== -2) { return; }
    var before = item.run >= 0 ? d.r[item.run] : null;
    var run = k >= 0 ? d.r[k] : null;
    this._hold(before && before[3], -1);
    this._hold(run && run[3], +1);
    item.run = k;
    if (!run && d.n === undefined) {
      this._show(i, false);
      this._label(item, null);
      return;
    }
    // A place nobody holds is still drawn, in the neutral look.
    this._layer(item).setStyle(this.store.looks[run ? run[2] : d.n]);
    this._show(i, true);
    if (d.nl !== undefined) {
      var f = run && run[3] ? this.store.factions[run[3]] : null;
      this._label(item, "<div class=\"atlas-label" + (d.lk ? "" : " minor") + "\">" + this.store.strings[d.nl] +
        (f ? " <span class=\"holder\">· " + f.short + "</span>" : "") + "</div>");
    }
  };

  AtlasTime.prototype._label = function (item, html) {
    if (item.labelHtml === html) { return; }
    if (item.label) { this.labelGroup.removeLayer(item.label); item.label = null; }
    item.labelHtml = html;
    if (!html || this.hidden.places) { return; }
    item.label = L.marker(item.data.ll, {pane: "atlas-label", interactive: false, keyboard: false,
      icon: L.divIcon({html: html, className: "", iconSize: [200, 18], iconAnchor: [-9, 9]})});
    this.labelGroup.addLayer(item.label);
  };

  AtlasTime.prototype._event = function (i, day) {
    var item = this.items[i], e = item.data.e, rule = this.store.events;
    var daysAgo = day > e[1] ? day - e[1] : (day >= e[0] ? 0 : -1);
    var look = daysAgo < 0 ? rule.future : (daysAgo <= rule.recent_days ? rule.recent : rule.past);
    var opacity = daysAgo < 0 ? rule.future_opacity : interpolate(rule.fade, daysAgo);
    var style = L.extend({}, look, {opacity: opacity, fillOpacity: look.fill ? rule.fill_ratio * opacity : 0});
    if (item.data.m) { style.color = rule.mine.color; style.weight = Math.max(style.weight, rule.mine.weight); }
    var layer = this._layer(item);
    layer.setStyle(style);
    if (style.radius) { layer.setRadius(style.radius); }
  };

  // --- the day -------------------------------------------------------------------------------

  AtlasTime.prototype.setDay = function (day, source) {
    var store = this.store;
    if (typeof day === "string") { day = dayOf(day); }
    if (day === null || isNaN(day)) { return; }
    day = Math.max(store.range[0], Math.min(store.range[1], Math.round(day)));
    var from = this.day;
    this.day = day;
    var self = this;
    if (from === null) {
      for (var i = 0; i < this.items.length; i++) { if (!this.items[i].data.e) { this._update(i, day); } }
    } else if (from !== day) {
      // Only items with a run boundary between the two days can look different.
      var lo = Math.min(from, day), hi = Math.max(from, day);
      var a = upper(this.markDays, lo), b = upper(this.markDays, hi), seen = {};
      for (var m = a; m < b; m++) {
        var it = this.markItems[m];
        if (!seen[it]) { seen[it] = true; this._update(it, day); }
      }
    }
    this._events(day);
    this._chrome(source || "code");
    this.daySource = source || "code";   // "user" once the reader moved the date (read by the app's bridge)
    var iso = isoOf(day);
    // Announce the day once the browser has painted it.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (self.day !== day) { return; }
        self.container.setAttribute("data-day", iso);
        if (source === "init" && global.performance && performance.mark) { performance.mark("atlas:painted"); }
        var frame = self.frame();
        if (frame) { frame.setAttribute("data-day", iso); }
        self.announce("atlas:day", {day: day, iso: iso, source: source || "code"});
      });
    });
  };

  // The <iframe> holding the map, when the page is in one of the same origin (the app).
  AtlasTime.prototype.frame = function () {
    try { return global.frameElement; } catch (err) { return null; }
  };

  AtlasTime.prototype.announce = function (name, detail) {
    this.container.dispatchEvent(new CustomEvent(name, {detail: detail}));
    var frame = this.frame();
    if (frame) { frame.dispatchEvent(new CustomEvent(name, {detail: detail})); }
  };

  AtlasTime.prototype._events = function (day) {
    var w = this.store.events.window, self = this, next = [];
    if (!this.hidden.events) {
      var lo = upper(this.eventFirst, day - w - this.maxSpan - 1), hi = upper(this.eventFirst, day + w);
      for (var k = lo; k < hi; k++) {
        var i = this.events[k];
        if (this.items[i].data.e[1] >= day - w) { next.push(i); }
      }
    }
    var keep = {};
    next.forEach(function (i) { keep[i] = true; self._event(i, day); self._show(i, true); });
    this.shownEvents.forEach(function (i) { if (!keep[i]) { self._show(i, false); } });
    this.shownEvents = next;
  };

  AtlasTime.prototype.step = function (days) { this.setDay(this.day + days, "user"); };

  AtlasTime.prototype.change = function (direction) {
    var changes = this.store.changes, day = this.day;
    var i = direction > 0 ? upper(changes, day) : upper(changes, day - 1) - 1;
    if (i >= 0 && i < changes.length) { this.setDay(changes[i], "user"); return true; }
    return false;
  };

  AtlasTime.prototype.play = function (on) {
    var self = this;
    if (on === undefined) { on = !this.playing; }
    if (this.playing) { clearInterval(this.playing); this.playing = null; }
    if (on) {
      this.playing = setInterval(function () {
        if (!self.change(+1)) { self.play(false); }
      }, this.speed() * 1000);
    }
    this._chrome("play");
    if (!on) { this.setDay(this.day, "user"); }  // where play stopped is the user's day
  };

  AtlasTime.prototype.speed = function () {
    return this.speedInput ? parseFloat(this.speedInput.value) : 1;
  };

  AtlasTime.prototype.setLayers = function (hidden) {
    var self = this, was = this.hidden;
    this.hidden = {};
    (hidden || []).forEach(function (kind) { self.hidden[kind] = true; });
    Object.keys(this.groups).forEach(function (kind) {
      var group = self.groups[kind];
      if (self.hidden[self.toggleOf[kind]]) { self.map.removeLayer(group); } else if (!self.map.hasLayer(group)) { group.addTo(self.map); }
    });
    if (this.hidden.places) { this.map.removeLayer(this.labelGroup); } else { this.labelGroup.addTo(this.map); }
    if (this.provinces) {
      if (this.hidden.provinces) { this.map.removeLayer(this.provinces); } else { this.provinces.addTo(this.map); }
    }
    if (this.day !== null && !!was.events !== !!this.hidden.events) { this._events(this.day); }
    if (this.day !== null && !!was.places !== !!this.hidden.places) {
      this.items.forEach(function (item) {
        var html = item.labelHtml;
        item.labelHtml = undefined;
        if (item.label) { self.labelGroup.removeLayer(item.label); item.label = null; }
        if (html !== undefined) { self._label(item, html); }
      });
    }
    if (this.day !== null) { this._chrome("layers"); }
  };

  // --- controls ------------------------------------------------------------------------------

  AtlasTime.prototype.format = function (day) {
    var d = new Date(day * DAY_MS), text = this.text, digits = text.digits;
    function num(n) { return String(n).replace(/[0-9]/g, function (c) { return digits.charAt(+c); }); }
    return text.day_format.replace("{d}", num(d.getUTCDate())).replace("{m}", text.months[d.getUTCMonth()])
      .replace("{y}", num(d.getUTCFullYear()));
  };

  AtlasTime.prototype.factionName = function (id, day) {
    var f = this.store.factions[id];
    if (!f) { return id; }
    for (var i = 0; i < f.names.length; i++) {
      var n = f.names[i];
      if (n[0] <= day && day < n[1]) { return n[2]; }
    }
    return f.name;
  };

  function el(tag, className, parent) {
    var node = L.DomUtil.create(tag, className, parent);
    return node;
  }

  AtlasTime.prototype._controls = function () {
    var self = this, text = this.text, map = this.map, store = this.store;
    var Bar = L.Control.extend({
      options: {position: "bottomleft"},
      onAdd: function () {
        var bar = el("div", "atlas-bar atlas-panel");
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.disableScrollPropagation(bar);
        var row = el("div", "atlas-bar-row", bar);
        self.prevButton = el("button", "atlas-btn", row);
        self.prevButton.type = "button";
        self.prevButton.innerHTML = text.previous;
        self.prevButton.title = text.previous_help;
        self.playButton = el("button", "atlas-btn atlas-play", row);
        self.playButton.type = "button";
        self.playButton.setAttribute("aria-pressed", "false");
        self.nextButton = el("button", "atlas-btn", row);
        self.nextButton.type = "button";
        self.nextButton.innerHTML = text.next;
        self.nextButton.title = text.next_help;
        var speedLabel = el("label", "atlas-speed", row);
        speedLabel.innerHTML = text.speed + " ";
        self.speedInput = el("select", "", speedLabel);
        [0.5, 1, 2, 4].forEach(function (s) {
          var option = el("option", "", self.speedInput);
          option.value = String(s);
          option.textContent = text.seconds.replace("{s}", String(s));
          if (s === 1) { option.selected = true; }
        });
        self.dateLabel = el("output", "atlas-date", row);
        self.slider = el("input", "atlas-slider", bar);
        self.slider.type = "range";
        self.slider.min = String(store.range[0]);
        self.slider.max = String(store.range[1]);
        self.slider.step = "1";
        self.slider.setAttribute("aria-label", text.date);
        L.DomEvent.on(self.slider, "input", function () { self.setDay(parseInt(self.slider.value, 10), "user"); });
        L.DomEvent.on(self.slider, "keydown", function (e) {
          if (e.key === "PageDown") { self.change(+1); L.DomEvent.preventDefault(e); }
          if (e.key === "PageUp") { self.change(-1); L.DomEvent.preventDefault(e); }
        });
        L.DomEvent.on(self.prevButton, "click", function () { self.play(false); self.change(-1); });
        L.DomEvent.on(self.nextButton, "click", function () { self.play(false); self.change(+1); });
        L.DomEvent.on(self.playButton, "click", function () { self.play(); });
        L.DomEvent.on(self.speedInput, "change", function () { if (self.playing) { self.play(true); } });
        return bar;
      }
    });
    var Panel = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () {
        var panel = el("div", "atlas-panel atlas-stamp-panel");
        L.DomEvent.disableClickPropagation(panel);
        if (self.options.title) {
          var title = el("div", "atlas-title", panel);
          title.innerHTML = self.options.title;
        }
        self.stamp = el("div", "atlas-stamp", panel);
        self.stamp.setAttribute("role", "status");
        var caveat = el("div", "atlas-caveat", panel);
        caveat.innerHTML = text.caveat;
        if (self.options.text_target) {
          // The same situation as text, in the page that holds the map (for screen readers, and to read).
          var link = el("a", "atlas-as-text", panel);
          link.href = "#" + self.options.text_target;
          link.innerHTML = text.as_text;
          L.DomEvent.on(link, "click", function (e) {
            var target = null;
            try { target = global.parent.document.getElementById(self.options.text_target); } catch (err) { target = null; }
            if (target) {
              L.DomEvent.preventDefault(e);
              target.setAttribute("tabindex", "-1");
              target.scrollIntoView();
              target.focus();
            }
          });
        }
        return panel;
      }
    });
    var Legend = L.Control.extend({
      options: {position: "topright"},
      onAdd: function () {
        var box = el("details", "atlas-panel atlas-legend");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        // Folded on small maps, where it would hide the map itself.
        if (self.container.clientWidth >= 900 && self.container.clientHeight >= 560) { box.open = true; }
        var summary = el("summary", "", box);
        summary.innerHTML = text.legend;
        self.legendBody = el("div", "", box);
        return box;
      }
    });
    if (this.options.controls !== false) { new Bar().addTo(map); }
    new Panel().addTo(map);
    new Legend().addTo(map);
  };

  AtlasTime.prototype._chrome = function (source) {
    var day = this.day, text = this.text, store = this.store;
    if (this.slider && String(day) !== this.slider.value) { this.slider.value = String(day); }
    if (this.slider) { this.slider.setAttribute("aria-valuetext", this.format(day)); }
    if (this.dateLabel) { this.dateLabel.textContent = this.format(day); }
    if (this.stamp) { this.stamp.innerHTML = text.as_of.replace("{date}", this.format(day)); }
    if (this.playButton) {
      this.playButton.innerHTML = this.playing ? text.pause : text.play;
      this.playButton.setAttribute("aria-pressed", this.playing ? "true" : "false");
    }
    if (this.prevButton) { this.prevButton.disabled = upper(store.changes, day - 1) - 1 < 0; }
    if (this.nextButton) { this.nextButton.disabled = upper(store.changes, day) >= store.changes.length; }
    if (this.legendBody && source !== "play-tick") { this._legend(); }
  };

  AtlasTime.prototype._legend = function () {
    var self = this, store = this.store, html = "", strings = store.strings;
    store.legend.forEach(function (entry) {
      if (entry.layer && self.hidden[entry.layer]) { return; }
      if (entry.faction) {
        if (!self.present[entry.faction]) { return; }
        var f = store.factions[entry.faction], name = self.factionName(entry.faction, self.day);
        // As layers/render/symbology.py legend_label: the short name only when the name does not already hold it.
        html += "<div><span class=\"sw\" style=\"background:" + f.color + "\"></span>" + name +
          (name.indexOf(f.short) < 0 ? " <span class=\"short\">(" + f.short + ")</span>" : "") + "</div>";
      } else {
        html += "<div>" + strings[entry.swatch] + strings[entry.label] + "</div>";
      }
    });
    if (this.legendHtml !== html) { this.legendBody.innerHTML = html; this.legendHtml = html; }
  };

  function readInitial(options, store) {
    var day = options.day ? dayOf(options.day) : store.day, view = null;
    // An <iframe> holding the map (the app) or a link's #date=...&lat=...&lon=...&zoom=... can say where to open.
    try {
      var frame = global.frameElement;
      if (frame && frame.dataset.day) { day = dayOf(frame.dataset.day) || day; }
      if (frame && frame.dataset.view) { view = JSON.parse(frame.dataset.view); }
    } catch (err) { /* not same-origin or no frame: keep the defaults */ }
    var hash = {};
    (global.location.hash || "").replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      if (kv.length === 2) { hash[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1]); }
    });
    if (hash.date && dayOf(hash.date) !== null) { day = dayOf(hash.date); }
    var lat = parseFloat(hash.lat), lon = parseFloat(hash.lon), zoom = parseInt(hash.zoom, 10);
    if (isFinite(lat) && isFinite(lon)) { view = {lat: lat, lon: lon, zoom: isFinite(zoom) ? zoom : null}; }
    return {day: day, view: view};
  }

  global.AtlasTime = {
    /** Draw `source` (a store object, or the URL of one) on `map`; returns a promise of the controller. */
    attach: function (map, source, options) {
      options = options || {};
      // Marks for the benchmarks (performance.getEntriesByName): when the layer started, had its data, painted.
      if (global.performance && performance.mark) { performance.mark("atlas:attach"); }
      var ready = typeof source === "string"
        ? fetch(source).then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        : Promise.resolve(source);
      return ready.then(function (store) {
        if (global.performance && performance.mark) { performance.mark("atlas:store"); }
        var atlas = new AtlasTime(map, store, options);
        var initial = readInitial(options, store);
        if (initial.view && isFinite(initial.view.lat)) {
          map.setView([initial.view.lat, initial.view.lon], initial.view.zoom || map.getZoom(), {animate: false});
        }
        atlas.setDay(initial.day, "init");
        global.atlas = atlas;
        map.on("moveend", function () {
          var c = map.getCenter(), b = map.getBounds();
          atlas.announce("atlas:view", {lat: c.lat, lon: c.lng, zoom: map.getZoom(),
                                        bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]});
        });
        map.fire("atlas:ready", {atlas: atlas});
        var frame = null;
        try { frame = global.frameElement; } catch (err) { frame = null; }
        if (frame) { frame.dispatchEvent(new CustomEvent("atlas:ready")); }
        return atlas;
      }).catch(function (error) {
        var note = L.control({position: "topleft"});
        note.onAdd = function () {
          var div = L.DomUtil.create("div", "atlas-panel atlas-error");
          div.textContent = "The map's features could not be loaded (" + error.message + "). Reload the page.";
          return div;
        };
        note.addTo(map);
        throw error;
      });
    },
    isoOf: isoOf,
    dayOf: dayOf,
    interpolate: interpolate
  };
})(window);

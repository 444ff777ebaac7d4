// Watch Tower's map: the live fleet map (GET /map) and the tracking page's trip map share it.
// Trucks are Leaflet circle markers drawn as SVG (readable by tests and assistive tools),
// coloured by the state the server computed; the fleet map follows the server's event stream
// and reconnects by itself, resuming after the last event it saw. Tiles are decoration: when
// they cannot load, the markers and the legend still show on a plain background.
(function () {
  'use strict';

  var STATES = ['moving', 'idle', 'parked', 'offline', 'maintenance'];
  var COLORS = {moving: '#1a9850', idle: '#f39c12', parked: '#2c7fb8', offline: '#7f8c8d', maintenance: '#8e44ad'};
  var LABELS = {moving: 'Moving', idle: 'Idle', parked: 'Parked', offline: 'Offline', maintenance: 'Maintenance'};
  var LAGOS = [6.5244, 3.3792];
  var skew = 0; // the server's clock minus this browser's, so ages and expiry follow the server

  function now() { return Date.now() + skew; }

  function narrow() { return window.innerWidth <= 600; }

  function colour(state) { return COLORS[state] || '#34495e'; }
  function label(state) { return LABELS[state] || state; }

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  // age says how long ago t (an ISO time) was, as a person would.
  function age(t) {
    if (!t) { return 'never reported'; }
    var s = Math.max(0, Math.round((now() - Date.parse(t)) / 1000));
    if (s < 60) { return s + ' s ago'; }
    if (s < 3600) { return Math.round(s / 60) + ' min ago'; }
    if (s < 86400) { return Math.round(s / 3600) + ' h ago'; }
    return Math.round(s / 86400) + ' d ago';
  }

  function newMap(el) {
    var map = L.map(el, {zoomControl: true, worldCopyJump: true, attributionControl: false}).setView(LAGOS, 11);
    // On a phone the panel covers the bottom: credit the tiles at the top instead.
    L.control.attribution({position: narrow() ? 'topright' : 'bottomright'}).addTo(map);
    var tiles = L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution || '', maxZoom: 19});
    var failed = 0;
    tiles.on('tileerror', function () {
      failed++;
      var note = document.getElementById('tiles-note');
      if (note && failed >= 2) { note.hidden = false; }
    });
    tiles.on('tileload', function () {
      var note = document.getElementById('tiles-note');
      if (note) { note.hidden = true; }
    });
    tiles.addTo(map);
    return map;
  }

  // Fleet is the live fleet map's state: one marker per truck that has reported.
  function Fleet(el) {
    this.el = el;
    this.map = newMap(el);
    this.renderer = L.svg({padding: 0.5});
    this.trucks = {};
    this.hidden = {};
    this.query = '';
    this.lastId = '';
    this.fitted = false;
    this.legend();
  }

  Fleet.prototype.tip = function (plate) {
    var t = this.trucks[plate].data;
    return '<div class="truck-tip"><b>' + esc(t.plate) + '</b><br>' +
      'Driver: ' + esc(t.driver || '—') + '<br>' +
      'State: ' + esc(label(t.state)) + '<br>' +
      'Speed: ' + esc(Math.round(t.speed_kmh || 0)) + ' km/h<br>' +
      '<span class="muted">Data: ' + esc(age(t.fix_time)) + '</span></div>';
  };

  // upsert merges t into the truck's record; position fields only from a fix at least as new.
  Fleet.prototype.upsert = function (t, fromFix) {
    var rec = this.trucks[t.plate];
    if (!rec) { rec = this.trucks[t.plate] = {data: {plate: t.plate, state: 'offline'}, marker: null}; }
    var d = rec.data;
    var newer = t.fix_time && (!d.fix_time || Date.parse(t.fix_time) >= Date.parse(d.fix_time));
    if (newer) {
      d.lat = t.lat; d.lng = t.lng; d.fix_time = t.fix_time; d.speed_kmh = t.speed_kmh; d.has_fix = true;
    }
    if (!fromFix) {
      d.state = t.status; d.driver = t.driver; d.trip_id = t.trip_id; d.site = t.site;
    }
    this.draw(t.plate);
  };

  Fleet.prototype.draw = function (plate) {
    var rec = this.trucks[plate], d = rec.data, self = this;
    if (!d.has_fix) { return; }
    if (!rec.marker) {
      rec.marker = L.circleMarker([d.lat, d.lng], {renderer: this.renderer, radius: 8, weight: 2, color: '#ffffff',
        fillOpacity: 0.95, className: 'truck'});
      rec.marker.bindTooltip(function () { return self.tip(plate); }, {direction: 'top', offset: [0, -6]});
      rec.marker.bindPopup(function () { return self.tip(plate); });
      rec.marker.addTo(this.map);
      var path = rec.marker.getElement();
      path.setAttribute('data-plate', plate);
      path.setAttribute('role', 'img');
    } else {
      rec.marker.setLatLng([d.lat, d.lng]);
    }
    rec.marker.setStyle({fillColor: colour(d.state)});
    var el = rec.marker.getElement();
    el.setAttribute('data-state', d.state);
    el.setAttribute('aria-label', d.plate + ', ' + label(d.state));
    if (rec.marker.isTooltipOpen()) { rec.marker.setTooltipContent(this.tip(plate)); }
    this.show(plate);
  };

  // show applies the state filter and the plate search to one truck's marker.
  Fleet.prototype.show = function (plate) {
    var rec = this.trucks[plate];
    if (!rec.marker) { return; }
    var visible = !this.hidden[rec.data.state] && (this.query === '' || plate.indexOf(this.query) >= 0);
    var onMap = this.map.hasLayer(rec.marker);
    if (visible && !onMap) { rec.marker.addTo(this.map); }
    if (!visible && onMap) { this.map.removeLayer(rec.marker); }
  };

  Fleet.prototype.showAll = function () {
    var plates = Object.keys(this.trucks), hits = [];
    for (var i = 0; i < plates.length; i++) {
      this.show(plates[i]);
      if (this.query && plates[i].indexOf(this.query) >= 0 && this.trucks[plates[i]].marker) { hits.push(plates[i]); }
    }
    if (hits.length === 1) {
      var m = this.trucks[hits[0]].marker;
      this.map.setView(m.getLatLng(), Math.max(this.map.getZoom(), 14));
      m.openTooltip();
    }
  };

  Fleet.prototype.legend = function () {
    var ul = document.getElementById('legend'), self = this;
    STATES.forEach(function (st) {
      var li = document.createElement('li');
      li.innerHTML = '<label><input type="checkbox" checked id="filter-' + st + '" data-state="' + st + '">' +
        '<span class="swatch" style="background:' + colour(st) + '"></span>' + label(st) + '</label>' +
        '<span class="count" id="count-' + st + '">0</span>';
      ul.appendChild(li);
    });
    ul.addEventListener('change', function (e) {
      var st = e.target.getAttribute('data-state');
      if (st) { self.hidden[st] = !e.target.checked; self.showAll(); }
    });
    document.getElementById('search').addEventListener('input', function (e) {
      self.query = e.target.value.toUpperCase().replace(/[\s-]/g, '');
      self.showAll();
    });
  };

  Fleet.prototype.counts = function (c) {
    STATES.forEach(function (st) { document.getElementById('count-' + st).textContent = (c.states && c.states[st]) || 0; });
    document.getElementById('total').textContent = c.size + (c.size === 1 ? ' truck' : ' trucks');
  };

  Fleet.prototype.snapshot = function (s) {
    var keep = {}, self = this;
    (s.trucks || []).forEach(function (t) { keep[t.plate] = true; self.upsert(t, false); });
    Object.keys(this.trucks).forEach(function (p) {
      if (!keep[p]) {
        if (self.trucks[p].marker) { self.map.removeLayer(self.trucks[p].marker); }
        delete self.trucks[p];
      }
    });
    this.counts(s.counts);
    if (!this.fitted) { this.fit(); }
  };

  Fleet.prototype.fit = function () {
    var pts = [], self = this;
    Object.keys(this.trucks).forEach(function (p) {
      var d = self.trucks[p].data;
      if (d.has_fix) { pts.push([d.lat, d.lng]); }
    });
    if (pts.length > 0) {
      var panel = document.getElementById('panel'); // keep the markers clear of the legend
      var br = narrow() ? [30, panel.offsetHeight + 20] : [panel.offsetWidth + 40, 30];
      this.map.fitBounds(pts, {paddingTopLeft: [30, 30], paddingBottomRight: br, maxZoom: 14});
      this.fitted = true;
    }
  };

  Fleet.prototype.status = function (text, down) {
    var el = document.getElementById('status');
    el.textContent = text;
    el.className = down ? 'down' : '';
  };

  // connect opens the stream; the browser reconnects by itself with Last-Event-ID, and when the
  // stream was closed for good (the server refused it) a new one resumes after the last ID.
  Fleet.prototype.connect = function () {
    var self = this, url = this.el.dataset.stream, expires = Number(this.el.dataset.expires || 0);
    if (expires && now() >= expires) {
      this.status('This map link has expired. Type /watchtower map for a new one.', true);
      return;
    }
    if (this.lastId) { url += (url.indexOf('?') >= 0 ? '&' : '?') + 'last_event_id=' + encodeURIComponent(this.lastId); }
    var es = new EventSource(url);
    var seen = function (e) { if (e.lastEventId) { self.lastId = e.lastEventId; } };
    es.onopen = function () { self.status('Live'); };
    es.addEventListener('snapshot', function (e) { seen(e); self.snapshot(JSON.parse(e.data)); self.status('Live · ' + new Date().toLocaleTimeString()); });
    es.addEventListener('fix', function (e) {
      seen(e);
      var f = JSON.parse(e.data);
      if (self.trucks[f.plate]) { self.upsert(f, true); }
      self.status('Live · ' + new Date().toLocaleTimeString());
    });
    es.addEventListener('state', function (e) {
      var c = JSON.parse(e.data);
      (c.trucks || []).forEach(function (t) { self.upsert(t, false); });
      self.counts(c.counts);
    });
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) {
        self.status('Connection lost; retrying…', true);
        setTimeout(function () { self.connect(); }, 5000);
      } else {
        self.status('Reconnecting…', true);
      }
    };
    this.source = es;
  };

  // trip draws the tracking page's map: the route from origin to destination and the truck.
  function trip(el) {
    var map = newMap(el), pts = [];
    var route = JSON.parse(el.dataset.route || '[]');
    route.forEach(function (s) {
      pts.push([s.lat, s.lng]);
      L.circleMarker([s.lat, s.lng], {radius: 6, weight: 2, color: '#1d2330', fillColor: '#ffffff', fillOpacity: 1, className: 'site'})
        .bindTooltip(esc(s.name)).addTo(map);
    });
    if (route.length === 2) {
      L.polyline(pts, {color: '#1a56db', weight: 3, dashArray: '6 6', className: 'route'}).addTo(map);
    }
    var t = el.dataset.truck ? JSON.parse(el.dataset.truck) : null;
    if (t) {
      var m = L.circleMarker([t.lat, t.lng], {radius: 9, weight: 2, color: '#ffffff', fillColor: colour(t.status || 'moving'),
        fillOpacity: 0.95, className: 'truck'}).bindTooltip(esc(t.plate) + '<br>' + esc(age(t.fix_time))).addTo(map);
      m.getElement().setAttribute('data-plate', t.plate);
      pts.push([t.lat, t.lng]);
    }
    if (pts.length > 1) { map.fitBounds(pts, {padding: [25, 25], maxZoom: 15}); } else if (pts.length === 1) { map.setView(pts[0], 14); }
  }

  var el = document.getElementById('map');
  if (!el || typeof L === 'undefined') { return; }
  if (el.dataset.now) { skew = Number(el.dataset.now) - Date.now(); }
  if (el.dataset.mode === 'trip') {
    trip(el);
    return;
  }
  var fleet = new Fleet(el);
  window.watchtowerMap = fleet; // for the browser tests and the console
  fleet.connect();
})();

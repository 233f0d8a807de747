// Renders /openapi.json for people: every operation by tag, its parameters, request body and
// responses, schemas as nested lists. No library: the document is ours and small.
(function () {
  'use strict';

  var doc;
  var MAX_DEPTH = 6;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
    });
    return node;
  }

  /** The little Markdown the document uses: paragraphs, `code`, **bold**. */
  function prose(text) {
    var box = el('div', {class: 'prose'});
    String(text || '').split(/\n\s*\n/).forEach(function (para) {
      var p = el('p');
      para.split(/(`[^`]+`|\*\*[^*]+\*\*)/).forEach(function (part) {
        if (/^`[^`]+`$/.test(part)) { p.appendChild(el('code', {text: part.slice(1, -1)})); }
        else if (/^\*\*[^*]+\*\*$/.test(part)) { p.appendChild(el('strong', {text: part.slice(2, -2)})); }
        else if (part) { p.appendChild(document.createTextNode(part)); }
      });
      box.appendChild(p);
    });
    return box;
  }

  function resolve(node) {
    var seen = 0;
    while (node && node.$ref && seen++ < 20) {
      node = node.$ref.slice(2).split('/').reduce(function (at, token) {
        return at === undefined ? undefined : at[token.replace(/~1/g, '/').replace(/~0/g, '~')];
      }, doc);
    }
    return node || {};
  }

  function refName(node) {
    return node && node.$ref ? node.$ref.split('/').pop() : null;
  }

  function typeOf(schema) {
    var s = resolve(schema);
    if (s.const !== undefined) { return JSON.stringify(s.const); }
    if (s.enum) { return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | '); }
    var t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type || (s.oneOf ? 'one of' : s.anyOf ? 'any of'
        : s.allOf ? 'all of' : 'any'));
    if (t === 'array' && s.items) { t = typeOf(s.items) + '[]'; }
    if (s.format) { t += ' (' + s.format + ')'; }
    if (s.minimum !== undefined) { t += ' ≥ ' + s.minimum; }
    if (s.pattern) { t += ' /' + s.pattern + '/'; }
    return t;
  }

  /** A schema as a nested list of its properties (allOf merged, oneOf/anyOf as alternatives). */
  function schemaTree(schema, depth) {
    var s = resolve(schema);
    var list = el('ul');
    if (depth > MAX_DEPTH) { return list; }
    var name = refName(schema);
    if (name && depth > 2) {
      // Deeper named schemas are drawn once, in the Schemas section, and linked to.
      list.appendChild(el('li', {}, [el('span', {class: 'note'}, ['see ', el('a', {href: '#schema-' + name, text: name})])]));
      return list;
    }
    (s.allOf || []).forEach(function (part) { list.appendChild(el('li', {}, [schemaTree(part, depth + 1)])); });
    ['oneOf', 'anyOf'].forEach(function (k) {
      (s[k] || []).forEach(function (alt, i) {
        list.appendChild(el('li', {}, [el('span', {class: 'note', text: (i === 0 ? (k === 'oneOf' ? 'one of: ' : 'any of: ')
            : 'or: ') + (refName(alt) || typeOf(alt))}), schemaTree(alt, depth + 1)]));
      });
    });
    var required = s.required || [];
    Object.keys(s.properties || {}).forEach(function (key) {
      var prop = s.properties[key];
      var resolved = resolve(prop);
      var item = el('li', {}, [el('span', {class: 'name', text: key}), ' ', el('span', {class: 'type', text: typeOf(prop)}),
        required.indexOf(key) >= 0 ? el('span', {class: 'req', text: ' required'}) : null,
        resolved.description ? el('span', {class: 'note', text: ' — ' + resolved.description.split('\n')[0]}) : null]);
      var inner = resolved.type === 'array' ? resolve(resolved.items) : resolved;
      if (inner.properties || inner.allOf || inner.oneOf || inner.anyOf || inner.additionalProperties) {
        item.appendChild(schemaTree(resolved.type === 'array' ? resolved.items : prop, depth + 1));
      }
      list.appendChild(item);
    });
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      list.appendChild(el('li', {}, [el('span', {class: 'name', text: '<any key>'}), ' ',
        el('span', {class: 'type', text: typeOf(s.additionalProperties)}), schemaTree(s.additionalProperties, depth + 1)]));
    }
    if (s.type === 'array' && s.items && depth === 0) {
      list.appendChild(el('li', {}, [el('span', {class: 'note', text: 'each item: ' + typeOf(s.items)}),
        schemaTree(s.items, depth + 1)]));
    }
    return list;
  }

  function content(body) {
    var box = el('div');
    Object.keys(body.content || {}).forEach(function (type) {
      var media = body.content[type];
      box.appendChild(el('div', {}, [el('code', {text: type}), media.schema ? ' ' : null,
        media.schema ? el('span', {class: 'type', text: refName(media.schema) || typeOf(media.schema)}) : null]));
      if (media.schema && type.indexOf('json') >= 0) {
        box.appendChild(el('div', {class: 'schema'}, [schemaTree(media.schema, 0)]));
      }
      var examples = [];
      if (media.example !== undefined) { examples.push(['example', media.example]); }
      Object.keys(media.examples || {}).forEach(function (k) { examples.push([k, resolve(media.examples[k]).value]); });
      examples.forEach(function (e) {
        box.appendChild(el('details', {}, [el('summary', {text: 'Example: ' + e[0]}),
          el('pre', {text: typeof e[1] === 'string' ? e[1] : JSON.stringify(e[1], null, 2)})]));
      });
    });
    return box;
  }

  function parameters(list) {
    if (!list.length) { return null; }
    var table = el('table', {}, [el('tr', {}, [el('th', {text: 'Parameter'}), el('th', {text: 'In'}),
      el('th', {text: 'Type'}), el('th', {text: 'Meaning'})])]);
    list.map(resolve).forEach(function (p) {
      table.appendChild(el('tr', {}, [el('td', {}, [el('code', {text: p.name}), p.required ? el('span', {class: 'req', text: ' *'}) : null]),
        el('td', {text: p.in}), el('td', {class: 'type', text: typeOf(p.schema || {})}), el('td', {text: p.description || ''})]));
    });
    return table;
  }

  function operation(path, method, op, shared) {
    var isPublic = Array.isArray(op.security) && op.security.length === 0;
    var head = el('summary', {}, [el('span', {class: 'method ' + method, text: method}), el('span', {class: 'path', text: path}),
      el('span', {class: 'summary', text: op.summary || ''}), isPublic ? el('span', {class: 'public', text: 'public'}) : null]);
    var body = el('div', {class: 'op-body'});
    if (op.description) { body.appendChild(prose(op.description)); }
    if (op['x-flotilla-websocket']) { body.appendChild(el('p', {}, [el('strong', {text: 'A WebSocket:'}), ' see the introduction.'])); }
    var params = parameters((shared || []).concat(op.parameters || []));
    if (params) { body.appendChild(el('h4', {text: 'Parameters'})); body.appendChild(params); }
    if (op.requestBody) {
      var rb = resolve(op.requestBody);
      body.appendChild(el('h4', {text: 'Request body' + (rb.required ? '' : ' (optional)')}));
      body.appendChild(content(rb));
    }
    body.appendChild(el('h4', {text: 'Responses'}));
    var table = el('table');
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = resolve(op.responses[status]);
      var cls = status === 'default' ? 'sd' : 's' + status.charAt(0);
      table.appendChild(el('tr', {}, [el('td', {class: 'status ' + cls, text: status}),
        el('td', {}, [prose(r.description || ''), r.content && status !== 'default' && !/^4|^5/.test(status) ? content(r) : null])]));
    });
    body.appendChild(table);
    return el('details', {class: 'op', id: op.operationId || (method + path)}, [head, body]);
  }

  function render() {
    var main = document.getElementById('doc');
    main.textContent = '';
    main.appendChild(el('h1', {text: doc.info.title}));
    main.appendChild(el('p', {}, ['Version ' + doc.info.version + ' · OpenAPI ' + doc.openapi + ' · ',
      el('a', {href: 'openapi.json', text: 'openapi.json'})]));
    main.appendChild(prose(doc.info.description));
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      var item = doc.paths[path];
      ['get', 'put', 'post', 'delete', 'patch', 'head'].forEach(function (method) {
        if (!item[method]) { return; }
        var tag = (item[method].tags || ['other'])[0];
        (byTag[tag] = byTag[tag] || []).push([path, method, item[method], item.parameters]);
      });
    });
    var tags = (doc.tags || []).map(function (t) { return t.name; });
    Object.keys(byTag).forEach(function (t) { if (tags.indexOf(t) < 0) { tags.push(t); } });
    var nav = el('ul');
    tags.forEach(function (t) { nav.appendChild(el('li', {}, [el('a', {href: '#tag-' + t, text: t})])); });
    nav.appendChild(el('li', {}, [el('a', {href: '#schemas', text: 'schemas'})]));
    nav.appendChild(el('li', {}, [el('a', {href: '#errors', text: 'errors'})]));
    main.appendChild(el('nav', {}, [nav]));
    tags.forEach(function (t) {
      var info = (doc.tags || []).filter(function (x) { return x.name === t; })[0] || {};
      main.appendChild(el('h2', {id: 'tag-' + t, text: t}));
      if (info.description) { main.appendChild(prose(info.description)); }
      (byTag[t] || []).forEach(function (o) { main.appendChild(operation(o[0], o[1], o[2], o[3])); });
    });
    var schemas = (doc.components || {}).schemas || {};
    main.appendChild(el('h2', {id: 'schemas', text: 'Schemas'}));
    Object.keys(schemas).forEach(function (name) {
      var schema = schemas[name];
      main.appendChild(el('details', {class: 'op def', id: 'schema-' + name}, [
        el('summary', {}, [el('span', {class: 'path', text: name}), el('span', {class: 'summary', text: typeOf(schema)})]),
        el('div', {class: 'op-body'}, [schema.description ? prose(schema.description) : null,
          el('div', {class: 'schema'}, [schemaTree(schema, 0)])])]));
    });
    var errors = resolve({$ref: '#/components/responses/Error'});
    main.appendChild(el('h2', {id: 'errors', text: 'Errors'}));
    main.appendChild(prose(errors.description));
    main.appendChild(content(errors));
    main.setAttribute('aria-busy', 'false');
    openHash();
    window.addEventListener('hashchange', openHash);
  }

  /** A link to an operation or a schema opens it. */
  function openHash() {
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
  }

  fetch('openapi.json', {headers: {Accept: 'application/json'}}).then(function (r) {
    if (!r.ok) { throw new Error('openapi.json answered ' + r.status); }
    return r.json();
  }).then(function (json) {
    doc = json;
    render();
  }).catch(function (e) {
    var main = document.getElementById('doc');
    main.textContent = '';
    main.appendChild(el('p', {class: 'error', text: 'The API document could not be shown: ' + e.message}));
  });
}());

// Offline viewer of /api/v1/openapi.json: lists every operation with its
// parameters, body and responses. No external request.
(function () {
  "use strict";
  var root = document.getElementById("api");
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text) { e.textContent = text; } return e; }
  function schemaName(s) { if (!s) { return ""; } if (s.$ref) { return s.$ref.split("/").pop(); } if (s.type === "array") { return schemaName(s.items) + "[]"; } return s.type || ""; }
  fetch("/api/v1/openapi.json").then(function (r) { return r.json(); }).then(function (doc) {
    root.textContent = "";
    var head = el("div", "panel");
    head.appendChild(el("h2", "", doc.info.title + " · v" + doc.info.version));
    head.appendChild(el("p", "muted", doc.info.description || ""));
    head.appendChild(el("p", "small", "认证：Authorization: Bearer zyt_…（在“个人中心 → 接口令牌”创建）"));
    root.appendChild(head);
    Object.keys(doc.paths).sort().forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var box = el("div", "panel");
        var title = el("h3", "");
        title.appendChild(el("span", "badge badge-blue", method.toUpperCase()));
        title.appendChild(document.createTextNode(" /api/v1" + path));
        box.appendChild(title);
        if (op.summary || op.description) { box.appendChild(el("p", "", op.summary || op.description)); }
        (op.parameters || []).forEach(function (p) {
          box.appendChild(el("div", "small", "参数 " + p.name + "（" + p.in + "）" + (p.description ? "：" + p.description : "")));
        });
        if (op.requestBody && op.requestBody.content) {
          var ct = Object.keys(op.requestBody.content)[0];
          box.appendChild(el("div", "small", "请求体 " + ct + " " + schemaName(op.requestBody.content[ct].schema)));
        }
        Object.keys(op.responses || {}).forEach(function (code) {
          var r = op.responses[code];
          var body = r.content && r.content["application/json"] ? " " + schemaName(r.content["application/json"].schema) : "";
          box.appendChild(el("div", "small muted", "响应 " + code + body + (r.description ? "：" + r.description : "")));
        });
        root.appendChild(box);
      });
    });
  }).catch(function () { root.textContent = "无法读取接口文档"; });
})();

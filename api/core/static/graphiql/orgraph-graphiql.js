// orgraph's GraphiQL: the editor, the documentation explorer and the query builder (the
// explorer plugin), talking to this server's /graphql. Everything it loads is served by
// orgraph (api/graphiql.py); the URL keeps the query and variables so that a link can be shared.
(function () {
  "use strict";
  var mount = document.getElementById("graphiql");
  var settings = JSON.parse(mount.getAttribute("data-settings"));
  var parameters = new URLSearchParams(window.location.search);
  var endpoint = window.location.origin + window.location.pathname;

  function remember(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    var search = parameters.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  // A server that is not open needs a token (docs/security.md): the Headers pane holds it,
  // filled from the dashboard's when this tab has one (sessionStorage, never a URL or a cookie).
  var token = window.sessionStorage.getItem("orgraph.token");
  var headers = token ? JSON.stringify({ Authorization: "Bearer " + token }, null, 2) : undefined;
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function Editor() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: settings.query,
      query: parameters.get("query") || undefined,
      variables: parameters.get("variables") || undefined,
      onEditQuery: function (query) { remember("query", query); },
      onEditVariables: function (variables) { remember("variables", variables); },
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      defaultHeaders: headers,
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(mount).render(React.createElement(Editor));
})();

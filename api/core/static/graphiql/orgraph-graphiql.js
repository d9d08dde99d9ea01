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
      shouldPersistHeaders: false,
    });
  }

  ReactDOM.createRoot(mount).render(React.createElement(Editor));
})();

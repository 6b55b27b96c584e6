document.getElementById("app")!.textContent = "debugpanel";

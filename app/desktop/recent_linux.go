//go:build linux

package desktop

/*
#cgo pkg-config: gtk+-3.0
#include <stdlib.h>
#include <string.h>
#include <gtk/gtk.h>

typedef struct {
	char *top, *sub; // the menu bar's item and, unless NULL, the item of its submenu holding the items
	int n;
	char **labels;
	int *enabled;
	int *visible;
} desklit_recent;

static GtkWidget *desklit_find_menubar(GtkWidget *w) {
	if (GTK_IS_MENU_BAR(w)) return w;
	if (!GTK_IS_CONTAINER(w)) return NULL;
	GtkWidget *found = NULL;
	GList *children = gtk_container_get_children(GTK_CONTAINER(w));
	for (GList *l = children; l != NULL && found == NULL; l = l->next) found = desklit_find_menubar(GTK_WIDGET(l->data));
	g_list_free(children);
	return found;
}

// desklit_submenu is the submenu of the item labelled label among shell's items.
static GtkWidget *desklit_submenu(GtkWidget *shell, const char *label) {
	GtkWidget *found = NULL;
	GList *children = gtk_container_get_children(GTK_CONTAINER(shell));
	for (GList *l = children; l != NULL && found == NULL; l = l->next) {
		if (!GTK_IS_MENU_ITEM(l->data)) continue;
		const char *have = gtk_menu_item_get_label(GTK_MENU_ITEM(l->data));
		if (have != NULL && strcmp(have, label) == 0) found = gtk_menu_item_get_submenu(GTK_MENU_ITEM(l->data));
	}
	g_list_free(children);
	return found;
}

static void desklit_recent_free(desklit_recent *u) {
	for (int i = 0; i < u->n; i++) free(u->labels[i]);
	free(u->top); free(u->sub);
	free(u->labels); free(u->enabled); free(u->visible); free(u);
}

// desklit_apply_recent runs on GTK's main loop: every window's menu top › sub gets the labels.
static gboolean desklit_apply_recent(gpointer data) {
	desklit_recent *u = data;
	GList *tops = gtk_window_list_toplevels();
	for (GList *t = tops; t != NULL; t = t->next) {
		GtkWidget *bar = desklit_find_menubar(GTK_WIDGET(t->data));
		GtkWidget *top = bar ? desklit_submenu(bar, u->top) : NULL;
		GtkWidget *recent = top && u->sub ? desklit_submenu(top, u->sub) : top;
		if (recent == NULL) continue;
		GList *items = gtk_container_get_children(GTK_CONTAINER(recent));
		int i = 0;
		for (GList *l = items; l != NULL && i < u->n; l = l->next, i++) {
			GtkWidget *it = GTK_WIDGET(l->data);
			if (GTK_IS_MENU_ITEM(it)) gtk_menu_item_set_label(GTK_MENU_ITEM(it), u->labels[i]);
			gtk_widget_set_sensitive(it, u->enabled[i]);
			if (u->visible[i]) gtk_widget_show(it); else gtk_widget_hide(it);
		}
		g_list_free(items);
	}
	g_list_free(tops);
	desklit_recent_free(u);
	return G_SOURCE_REMOVE;
}

static void desklit_update_recent(desklit_recent *u) { g_idle_add(desklit_apply_recent, u); }
*/
import "C"

import "unsafe"

// updateMenuItems relabels the fixed items of the menu bar's top › sub (sub "": top's own menu),
// File › Open Recent or Services, on GTK's main loop (Wails v2 cannot replace a menu on Linux;
// see menuRebuilds). The items are the menu's first children, in order.
func updateMenuItems(top, sub string, items []RecentItem) {
	n := len(items)
	if n == 0 {
		return
	}
	u := (*C.desklit_recent)(C.malloc(C.size_t(unsafe.Sizeof(C.desklit_recent{}))))
	u.n = C.int(n)
	u.top, u.sub = C.CString(top), nil
	if sub != "" {
		u.sub = C.CString(sub)
	}
	u.labels = (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	u.enabled = (*C.int)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.int(0)))))
	u.visible = (*C.int)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.int(0)))))
	labels := unsafe.Slice(u.labels, n)
	enabled := unsafe.Slice(u.enabled, n)
	visible := unsafe.Slice(u.visible, n)
	for i, it := range items {
		label := it.Label
		if label == "" {
			label = " "
		}
		labels[i] = C.CString(label)
		enabled[i] = boolInt(it.Enabled)
		visible[i] = boolInt(it.Visible)
	}
	C.desklit_update_recent(u)
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
